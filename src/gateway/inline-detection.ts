import type { InferenceEvent, PolicySnapshot } from '../core/index.js';
import { GatewayError } from './errors.js';

/** What blocking detection found on one query: the alert that withholds its answer. */
export interface InlineVerdict {
  readonly detector: string;
  readonly alertId: string;
}

/**
 * The per-principal detectors, run synchronously on one answered query before the gateway sends
 * the answer (blocking mode). They raise their alerts as usual; a verdict withholds the answer.
 */
export interface InlineDetection {
  inspect(event: InferenceEvent): InlineVerdict | null;
}

/**
 * What puts this key's queries on this model under inline detection: a `detect_inline` action
 * (for the key, else for every key), else `config` when the model's detection mode is blocking;
 * null when its queries are answered first and inspected on the bus.
 */
export function inlineDetectionFor(
  snapshot: PolicySnapshot,
  blockingModels: ReadonlySet<string>,
  model: string,
  keyId: string,
): string | null {
  const policy = snapshot.detectInline.get(model);
  const actionId = policy ? (policy.keys.get(keyId) ?? policy.all) : null;
  return actionId ?? (blockingModels.has(model) ? 'config' : null);
}

/** The refusal of a query whose own detectors raised an alert (the message names both). */
export function detectionBlocked(verdict: InlineVerdict, by: string): GatewayError {
  const source =
    by === 'config'
      ? "the model's detection mode (blocking)"
      : `containment action ${by} (detect_inline)`;
  return new GatewayError(
    'GATEWAY_DETECTION_BLOCKED',
    `answer withheld: detector ${verdict.detector} raised alert ${verdict.alertId} on this query; inline detection by ${source}`,
    {
      action: 'detect_inline',
      actionId: by === 'config' ? null : by,
      detector: verdict.detector,
      alertId: verdict.alertId,
    },
  );
}
