import type { InferenceEvent } from '../core/index.js';
import type { Store } from '../store/index.js';
import { answerLabel, resolvePointer } from './answers.js';
import type { EventFilter } from './event-filter.js';
import { countEvents, streamEvents } from './event-index.js';

/** What re-scores rows: an in-process ONNX session of the known-good version. */
export interface Scorer {
  infer(rows: number[][]): Promise<{ probabilities: number[][]; labels: number[] }>;
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
  goodLabel: number;
  goodProbabilities: number[];
  flipped: boolean;
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
  events: number;
  decisions: number;
  flips: number;
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
  const filter: EventFilter = {
    models: [options.model],
    version: options.version,
    status: 200,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
  };
  const summary: ImpactSummary = {
    model: options.model,
    version: options.version,
    goodVersion: options.goodVersion,
    from: options.from ?? null,
    to: options.to ?? null,
    events: 0,
    decisions: 0,
    flips: 0,
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
  const totalEvents = await countEvents(store, filter);
  let expected = 0; // rows, grown as events are read; progress is rows done of rows seen
  const inFlight: {
    batch: Pending[];
    scored: Promise<{ probabilities: number[][]; labels: number[] }>;
  }[] = [];

  const settle = async () => {
    const { batch, scored } = inFlight.shift()!;
    const result = await scored;
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
        const goodLabel = result.labels[k]!;
        const goodProbabilities = result.probabilities[k] ?? [];
        k++;
        const flipped = given !== goodLabel;
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
        };
        summary.decisions++;
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
    inFlight.push({ batch, scored: options.scorer.infer(rows) });
    batch = [];
    rowsInBatch = 0;
    if (inFlight.length >= concurrency) await settle();
  };

  for await (const { seq, event } of streamEvents(store, filter, { pageSize: 2000 })) {
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
