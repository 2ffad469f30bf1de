// The per-model (second) stage of partitioned detection (issue 16). Drift and output drift
// need every event of a model, but one worker reading the whole inference stream next to its
// share of the key partitions caps what a second worker can add (each event was read and
// schema-checked twice). Instead each partition's runner passes the events it has already
// checked on in batches, and the stage reads those: one message per batch, no second check
// of the whole event. A batch is published before the partition's checkpoint is stored
// (`flush`), so a partition taken over after a crash sends again what the stage may have
// missed: at-least-once, like the events themselves.
import type { InferenceEvent } from '../core/index.js';
import type { DetectorRunner } from './runner/detector-runner.js';

export interface ModelStageBatch {
  version: 1;
  events: InferenceEvent[];
}

export interface ForwardOptions {
  /** Sends one batch (to the stage's subject); rejects when it was not stored. */
  publish: (batch: ModelStageBatch) => Promise<void>;
  /** A batch is sent when it holds this many events. Default 256. */
  maxEvents?: number;
  /** …or this long after its first event. Default 100 ms. */
  maxDelayMs?: number;
  onError?: (error: unknown) => void;
}

/** A runner that also passes every event it processes on to the per-model stage. */
export function forwardingToModelStage(
  runner: DetectorRunner,
  options: ForwardOptions,
): DetectorRunner {
  const maxEvents = options.maxEvents ?? 256;
  const maxDelayMs = options.maxDelayMs ?? 100;
  let batch: InferenceEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  let failed: unknown = null;
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    sending = sending.then(() =>
      options.publish({ version: 1, events }).catch((error: unknown) => {
        failed = error;
        options.onError?.(error);
      }),
    );
  };
  return {
    ...runner,
    process(event) {
      const alerts = runner.process(event);
      // The stage never sees a message's requestFields (they stay in the gateway's memory).
      const { requestFields: _dropped, ...kept } = event;
      batch.push(kept);
      if (batch.length >= maxEvents) send();
      else if (timer === undefined) timer = setTimeout(send, maxDelayMs).unref();
      return alerts;
    },
    async flush() {
      send();
      await sending;
      await runner.flush();
      // A lost batch must not be covered by a checkpoint: the next owner sends it again.
      if (failed !== null) {
        const error = failed;
        failed = null;
        throw error;
      }
    },
  };
}

const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

/**
 * Reads a batch for the stage. The events were schema-checked by the partition that sent
 * them; this checks the shape of what the per-model detectors read, and skips what is not.
 */
export function decodeModelStageBatch(data: unknown): InferenceEvent[] | null {
  const batch = data as Partial<ModelStageBatch> | null;
  if (!batch || batch.version !== 1 || !Array.isArray(batch.events)) return null;
  return batch.events.filter(
    (e): e is InferenceEvent =>
      typeof e === 'object' &&
      e !== null &&
      typeof e.id === 'string' &&
      typeof e.time === 'string' &&
      typeof e.model === 'string' &&
      typeof e.outcome === 'string' &&
      isStringOrNull(e.modelVersion) &&
      isStringOrNull(e.keyId) &&
      isStringOrNull(e.principal) &&
      typeof e.sourceAddress === 'string' &&
      (e.features === null || Array.isArray(e.features)) &&
      (e.outputs === null || Array.isArray(e.outputs)),
  );
}
