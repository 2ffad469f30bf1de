import type { Detector, Finding } from '../../src/detect/detector.js';
import {
  boundaryAttack,
  createRandom,
  createRecordingTarget,
  hopSkipJump,
  jacobianExtraction,
  knockoffExtraction,
  nesAttack,
  randomExtraction,
  randomSearchAttack,
  syntheticExtraction,
  type AttackContext,
  type AttackReport,
  type QueryTarget,
  type RecordedQuery,
} from '../../src/drill/attacks/index.js';
import { runDetector, toEvents } from './events.js';

export const EXTRACTION_ATTACKS = {
  random: randomExtraction,
  synthetic: syntheticExtraction,
  jacobian: jacobianExtraction,
  knockoff: knockoffExtraction,
} as const;
export const EVASION_ATTACKS = {
  boundary: boundaryAttack,
  hsj: hopSkipJump,
  nes: nesAttack,
  'random-search': randomSearchAttack,
} as const;

export interface AttackRun {
  readonly report: AttackReport;
  readonly log: RecordedQuery[];
}

/**
 * Runs one attack against the target and keeps the rows the model received (after any
 * attacker-side wrapper such as added noise, which sits between the attack and the log).
 */
export async function recordAttack(
  run: (t: QueryTarget) => Promise<AttackReport>,
  target: QueryTarget,
  wrap: (t: QueryTarget) => QueryTarget = (t) => t,
): Promise<AttackRun> {
  const recording = createRecordingTarget(target);
  const report = await run(wrap(recording));
  return { report, log: recording.log };
}

export interface Exposure {
  /** Attack queries (1-based) up to and including the request that raised the first finding, or null. */
  readonly firstAlarm: number | null;
  /** Indices into the log of the attack queries answered up to that request (all when never flagged). */
  readonly answeredBefore: number[];
  readonly detectors: string[];
  readonly findings: Finding[];
}

export interface ExposeOptions<S> {
  readonly model: string;
  readonly seed: number;
  readonly keys?: number;
  readonly sameNetwork?: boolean;
  readonly meanGapMs?: number;
  /** Rows per request (consecutive queries of one key); default 1. */
  readonly rowsPerRequest?: number;
  /** Key names are `<prefix>-<k>`; default `attacker`. */
  readonly keyPrefix?: string;
  readonly isAttack?: (i: number) => boolean;
  /** A fresh detector state (e.g. with the benign run's peer groups); default `detector.init()`. */
  readonly init?: () => S;
}

/**
 * Attack traffic as requests (spread round-robin over keys, `rowsPerRequest` rows each)
 * through a fresh detector state; every request is answered (monitor mode).
 */
export function expose<S>(
  detector: Detector<S>,
  log: readonly RecordedQuery[],
  o: ExposeOptions<S>,
): Exposure {
  const keys = o.keys ?? 1;
  const per = Math.max(1, o.rowsPerRequest ?? 1);
  const random = createRandom(o.seed);
  const isAttack = o.isAttack ?? (() => true);
  const prefix = o.keyPrefix ?? 'attacker';
  // Query i goes to key i % keys; a request leaves once `per` queries of that key are ready.
  const open = Array.from({ length: keys }, () => [] as number[]);
  const requests: number[][] = [];
  log.forEach((_, i) => {
    const k = i % keys;
    open[k]!.push(i);
    if (open[k]!.length === per) requests.push(open[k]!.splice(0));
  });
  for (const rest of open) if (rest.length > 0) requests.push(rest);
  requests.sort((a, b) => a[a.length - 1]! - b[b.length - 1]!);
  let t = Date.UTC(2026, 0, 5, 12);
  const sent = new Array<number>(keys).fill(0);
  const events = requests.map((idx) => {
    t += Math.max(
      1,
      Math.round(
        (-Math.log(Math.max(random.next(), 1e-9)) * (o.meanGapMs ?? 500) * idx.length) / keys,
      ),
    );
    const k = idx[0]! % keys;
    const [event] = toEvents([log[idx[0]!]!], {
      principal: `${prefix}-${k}`,
      address: o.sameNetwork === false ? `198.51.${k}.9` : `203.0.113.${10 + k}`,
      model: o.model,
      startMs: t - 1,
      meanGapMs: 0,
      random,
    });
    sent[k]! += 1;
    return {
      ...event!,
      id: `${prefix}-${k}-${sent[k]}`,
      requestId: `${prefix}-${k}-${sent[k]}`,
      time: new Date(t).toISOString(),
      features: idx.map((i) => log[i]!.features),
      outputs: idx.map((i) => log[i]!.probabilities),
    };
  });
  const hits = runDetector(detector, o.init ? o.init() : detector.init(), events);
  // Findings on cover traffic count too: they name the attacker's key all the same.
  const first = hits[0];
  const answered = (first ? requests.slice(0, first.at) : requests).flat().filter(isAttack);
  return {
    firstAlarm: first ? answered.length : null,
    answeredBefore: answered.sort((a, b) => a - b),
    detectors: [...new Set(hits.map((h) => h.finding.detector))],
    findings: hits.map((h) => h.finding),
  };
}

export function context(
  min: number[],
  max: number[],
  classCount: number,
  seed: number,
): AttackContext {
  return { featureMin: min, featureMax: max, classCount, seed };
}
