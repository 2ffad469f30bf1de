import { CONTAINMENT_ACTION_KINDS, type ContainmentActionKind } from './containment.js';

/** Steps no action makes: the model's circuit breaker answered (`circuit_breaker:open`). */
export const CIRCUIT_BREAKER_STEP = 'circuit_breaker';
/** A decoy's configured watermark altered these rows (`decoy_watermark:config/rows=0;3`). */
export const DECOY_WATERMARK_STEP = 'decoy_watermark';
export type PolicyStepKind =
  ContainmentActionKind | typeof CIRCUIT_BREAKER_STEP | typeof DECOY_WATERMARK_STEP;

/**
 * One containment action that shaped an answer. `actionId` is the action's id, or `config`
 * for detection made blocking by aisoc.yaml, or the breaker's state for the circuit breaker;
 * `rows` are the answer rows a watermark altered.
 */
export interface PolicyStep {
  readonly kind: PolicyStepKind;
  readonly actionId: string;
  readonly rows?: readonly number[];
}

/**
 * The policy trace is stored on `InferenceEvent.policyAction` in its original text form,
 * `kind:actionId[/rows=i;j]` steps joined by commas, so ledgers written before it was typed
 * still read and verify unchanged. Code builds and reads it only through these functions.
 */
export function formatPolicyStep(step: PolicyStep): string {
  const rows = step.rows?.length ? `/rows=${step.rows.join(';')}` : '';
  return `${step.kind}:${step.actionId}${rows}`;
}

const KINDS: ReadonlySet<string> = new Set(CONTAINMENT_ACTION_KINDS);
const STEP_KINDS: ReadonlySet<string> = new Set([
  ...CONTAINMENT_ACTION_KINDS,
  CIRCUIT_BREAKER_STEP,
  DECOY_WATERMARK_STEP,
]);

export function isContainmentKind(kind: unknown): kind is ContainmentActionKind {
  return typeof kind === 'string' && KINDS.has(kind);
}

/** The steps of a stored trace, in order; steps of a kind this version does not know are left out. */
export function parsePolicyTrace(stored: string | null | undefined): PolicyStep[] {
  if (!stored) return [];
  const steps: PolicyStep[] = [];
  for (const text of stored.split(',')) {
    const colon = text.indexOf(':');
    const kind = (colon < 0 ? text : text.slice(0, colon)) as PolicyStepKind;
    if (!STEP_KINDS.has(kind)) continue;
    const [actionId = '', rows] = text.slice(colon + 1).split('/rows=');
    steps.push(
      rows === undefined
        ? { kind, actionId }
        : { kind, actionId, rows: rows.split(';').filter(Boolean).map(Number) },
    );
  }
  return steps;
}

/** The stored trace with one more step (a step already there is not repeated). */
export function appendPolicyStep(stored: string | null, step: PolicyStep): string {
  const text = formatPolicyStep(step);
  if (!stored) return text;
  return stored.split(',').includes(text) ? stored : `${stored},${text}`;
}

/** Whether the trace holds a step of one of these kinds. */
export function policyTraceHas(
  stored: string | null | undefined,
  ...kinds: readonly PolicyStepKind[]
): boolean {
  return parsePolicyTrace(stored).some((s) => kinds.includes(s.kind));
}
