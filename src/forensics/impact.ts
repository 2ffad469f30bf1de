import type { InferenceEvent } from '../core/index.js';
import type { Store } from '../store/index.js';
import { answerLabel, resolvePointer } from './answers.js';
import type { EventFilter } from './event-filter.js';
import { countEvents, streamEvents } from './event-index.js';

/** What a scorer answers for a batch; `errors[i]` set means row i got no answer. */
export interface ScoredRows {
  probabilities: number[][];
  labels: number[];
  errors?: (string | null)[];
}

/**
 * What re-scores rows: an in-process ONNX session of the known-good version, or its upstream
 * (`createHttpScorer`). A rejected batch is reported on each of its decisions, not thrown.
 */
export interface Scorer {
  infer(rows: number[][]): Promise<ScoredRows>;
}

/** A time window; either end open. */
export interface ImpactWindow {
  from?: string | undefined;
  to?: string | undefined;
}

export interface ImpactOptions {
  model: string;
  /** The version whose decisions are in question. */
  version: string;
  /** The known-good version they are re-scored on. */
  goodVersion: string;
  scorer: Scorer;
  from?: string;
  to?: string;
  /** Several windows instead of from/to (e.g. the deployments of a version); must not overlap. */
  windows?: readonly ImpactWindow[];
  /** RFC 6901 pointer into each event to the data subject; default `/subject` (set by the gateway). */
  subjectPointer?: string;
  /** Batches re-scored at once (default 4). */
  concurrency?: number;
  /** Rows per batch (default 256). */
  batchRows?: number;
  /** Called after each batch with decisions done and the total expected. */
  onProgress?: (done: number, total: number) => void;
  /** Called with each decision, in ledger time order. */
  onDecision?: (decision: Decision) => void | Promise<void>;
  /** Which subject refs had their data key destroyed (privacy erasure); sealed events of those count as `erased`. */
  erasedSubjects?: (refs: string[]) => Promise<ReadonlySet<string>>;
}

/** One answered row: what the suspect version said and what the known-good one says. */
export interface Decision {
  requestId: string;
  eventId: string;
  seq: number;
  row: number;
  time: string;
  principal: string | null;
  keyId: string | null;
  subject: string | null;
  input: number[];
  answer: unknown;
  answerLabel: number | null;
  /** Null when the known-good version gave no answer for this row (see `error`). */
  goodLabel: number | null;
  goodProbabilities: number[];
  flipped: boolean;
  /** The suspect version, so decisions of several versions can share one file. */
  modelVersion: string;
  /** Why the row could not be re-scored (e.g. the upstream answered 503); absent when it was. */
  error?: string;
}

export interface Tally {
  decisions: number;
  flips: number;
}

/** The totals of an impact analysis; the decisions themselves go to `onDecision`. */
export interface ImpactSummary {
  model: string;
  version: string;
  goodVersion: string;
  from: string | null;
  to: string | null;
  /** The windows read, when given as `windows`. */
  windows?: ImpactWindow[];
  events: number;
  decisions: number;
  flips: number;
  /** Decisions the known-good version could not re-score (each carries its `error`). */
  errors: number;
  /** Events of the version with no recorded features or answer (cannot be re-scored). */
  unscorable: number;
  /** Of those, events whose features or answers are sealed (privacy `encrypt`, issue 19). */
  sealed: number;
  /** Of the sealed ones, events whose subject was erased: their sealed fields are gone for good. */
  erased: number;
  byPrincipal: Record<string, Tally>;
  /** By the class the suspect version answered. */
  byClass: Record<string, Tally>;
  /** By transition `answered→known-good`, flips only. */
  byFlip: Record<string, number>;
  bySubject: Record<string, Tally>;
  subjects: number;
  durationMs: number;
}

interface Pending {
  event: InferenceEvent;
  seq: number;
  rows: number[];
}

function tally(map: Record<string, Tally>, key: string, flipped: boolean): void {
  const t = (map[key] ??= { decisions: 0, flips: 0 });
  t.decisions++;
  if (flipped) t.flips++;
}

/**
 * Every decision the suspect version served in the window, re-scored on the known-good
 * version: which flip, and totals per principal, class and data subject. Batches of rows go
 * to the scorer with at most `concurrency` in flight; results are taken in order, so
 * decisions come out in ledger time order whatever finishes first.
 */
export async function analyseImpact(store: Store, options: ImpactOptions): Promise<ImpactSummary> {
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const batchRows = Math.max(1, options.batchRows ?? 256);
  const pointer = options.subjectPointer ?? '/subject';
  const windows: ImpactWindow[] = options.windows
    ? [...options.windows]
    : [{ from: options.from, to: options.to }];
  const filterOf = (w: ImpactWindow): EventFilter => ({
    models: [options.model],
    version: options.version,
    status: 200,
    ...(w.from === undefined ? {} : { from: w.from }),
    ...(w.to === undefined ? {} : { to: w.to }),
  });
  const summary: ImpactSummary = {
    model: options.model,
    version: options.version,
    goodVersion: options.goodVersion,
    from: options.from ?? null,
    to: options.to ?? null,
    ...(options.windows ? { windows } : {}),
    events: 0,
    decisions: 0,
    flips: 0,
    errors: 0,
    unscorable: 0,
    sealed: 0,
    erased: 0,
    byPrincipal: {},
    byClass: {},
    byFlip: {},
    bySubject: {},
    subjects: 0,
    durationMs: 0,
  };
  let totalEvents = 0;
  for (const w of windows) totalEvents += await countEvents(store, filterOf(w));
  let expected = 0; // rows, grown as events are read; progress is rows done of rows seen
  const inFlight: {
    batch: Pending[];
    scored: Promise<ScoredRows>;
  }[] = [];

  const settle = async () => {
    const { batch, scored } = inFlight.shift()!;
    let result: ScoredRows;
    let batchError: string | null = null;
    try {
      result = await scored;
    } catch (err) {
      batchError = err instanceof Error ? err.message : String(err);
      result = { probabilities: [], labels: [] };
    }
    let k = 0;
    for (const p of batch) {
      const subjectValue = resolvePointer(p.event, pointer);
      const subject =
        typeof subjectValue === 'string' || typeof subjectValue === 'number'
          ? String(subjectValue)
          : null;
      for (const row of p.rows) {
        const answer = p.event.outputs![row];
        const given = answerLabel(answer);
        const error = batchError ?? result.errors?.[k] ?? null;
        const goodLabel = error === null ? (result.labels[k] ?? null) : null;
        const goodProbabilities = error === null ? (result.probabilities[k] ?? []) : [];
        k++;
        const flipped = goodLabel !== null && given !== goodLabel;
        const decision: Decision = {
          requestId: p.event.requestId,
          eventId: p.event.id,
          seq: p.seq,
          row,
          time: p.event.time,
          principal: p.event.principal,
          keyId: p.event.keyId,
          subject,
          input: p.event.features![row]!,
          answer,
          answerLabel: given,
          goodLabel,
          goodProbabilities,
          flipped,
          modelVersion: options.version,
          ...(error === null ? {} : { error }),
        };
        summary.decisions++;
        if (error !== null) summary.errors++;
        if (flipped) {
          summary.flips++;
          const key = `${given ?? 'none'}→${goodLabel}`;
          summary.byFlip[key] = (summary.byFlip[key] ?? 0) + 1;
        }
        tally(summary.byPrincipal, p.event.principal ?? '(none)', flipped);
        tally(summary.byClass, String(given ?? 'none'), flipped);
        if (subject !== null) tally(summary.bySubject, subject, flipped);
        await options.onDecision?.(decision);
      }
    }
    options.onProgress?.(summary.decisions, Math.max(expected, summary.decisions));
  };

  const sealedBy = new Map<string, number>(); // subject ref → sealed events
  let batch: Pending[] = [];
  let rowsInBatch = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch.flatMap((p) => p.rows.map((r) => p.event.features![r]!));
    const scored = options.scorer.infer(rows);
    // A rejection is read by settle(); this keeps Node from calling it unhandled meanwhile.
    scored.catch(() => undefined);
    inFlight.push({ batch, scored });
    batch = [];
    rowsInBatch = 0;
    if (inFlight.length >= concurrency) await settle();
  };

  for (const w of windows)
    for await (const { seq, event } of streamEvents(store, filterOf(w), { pageSize: 2000 })) {
      summary.events++;
      const features = event.features;
      const outputs = event.outputs;
      if (!features || !outputs || features.length === 0 || outputs.length !== features.length) {
        summary.unscorable++;
        const ref = event.privacy?.sealed?.key;
        if (ref !== undefined) {
          summary.sealed++;
          sealedBy.set(ref, (sealedBy.get(ref) ?? 0) + 1);
        }
        continue;
      }
      // Project the total from the average rows per event seen so far.
      expected = Math.round(
        ((summary.decisions + rowsInBatch + features.length) / summary.events) * totalEvents,
      );
      batch.push({ event, seq, rows: features.map((_, i) => i) });
      rowsInBatch += features.length;
      if (rowsInBatch >= batchRows) await flush();
    }
  await flush();
  while (inFlight.length > 0) await settle();
  summary.subjects = Object.keys(summary.bySubject).length;
  if (options.erasedSubjects && sealedBy.size > 0) {
    const gone = await options.erasedSubjects([...sealedBy.keys()]);
    for (const [ref, n] of sealedBy) if (gone.has(ref)) summary.erased += n;
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
