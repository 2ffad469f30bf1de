import type { Severity } from '../../core/index.js';
import type { FindingKind } from './finding.js';
import type { ExtractionConfig } from './options.js';
import { observePrada, pradaStatistic } from './prada-state.js';
import { observeProbe } from './probe-state.js';
import { observeSimilarity, type SimilarityObservation } from './similarity-state.js';
import { observeStep } from './step-state.js';
import { offCooldown, type SubjectState } from './subject-state.js';
import { windowSignals } from './window-signals.js';
import { FLAG, flagCount, flaggedIds, pushWindow } from './window-state.js';

/** One row, already standardised and sketched once for every subject it counts towards. */
export interface PreparedRow {
  readonly eventId: string;
  readonly timeMs: number;
  readonly label: number;
  readonly margin: number | null;
  readonly outlier: boolean;
  /** Reused for the next row (like `unit`): the states copy what they keep. */
  readonly sketch: Float32Array;
  readonly raw: readonly number[];
  /** The row in range units (x / range), its hash, and how many features have a range at all. */
  readonly unit: Uint16Array;
  readonly unitHash: number;
  readonly activeFeatures: number;
  /** Other principals that recently sent a nearby, different query (cross-principal LSH). */
  readonly crossOthers: readonly string[];
}

/** A signal that fired, before it becomes a Finding. */
export interface Signal {
  readonly signal:
    | 'prada'
    | 'similarity'
    | 'probe'
    | 'step'
    | 'density'
    | 'novelty'
    | 'cross'
    | 'boundary'
    | 'volume'
    | 'outlier'
    | 'profile';
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly confidence: number;
  readonly title: string;
  readonly evidence: Record<string, unknown>;
  readonly eventIds: string[];
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function pradaSignal(s: SubjectState, row: PreparedRow, config: ExtractionConfig): Signal | null {
  const p = config.prada;
  if (!p || !s.prada) return null;
  const d = observePrada(s.prada, row.label, row.sketch);
  if (d === null) return null;
  // The test is O(n) on the kept-sorted distances; running it every `testEvery` rows bounds
  // the per-query cost at the price of alarming up to testEvery - 1 rows later.
  if (s.rows % p.testEvery !== 0) return null;
  const stat = pradaStatistic(s.prada, p.minSamples);
  if (!stat || stat.w >= p.delta || !offCooldown(s, 'prada', config.cooldownRows)) return null;
  const sorted = s.prada.sorted.subarray(0, s.prada.count);
  return {
    signal: 'prada',
    kind: 'extraction',
    severity: 'high',
    confidence: Math.min(1, 0.5 + (p.delta - stat.w)),
    title: `Query distances fail the PRADA normality test (W=${stat.w.toFixed(3)} < ${p.delta})`,
    evidence: {
      statistic: 'shapiro-wilk',
      w: round(stat.w),
      p: stat.p,
      delta: p.delta,
      distances: stat.n,
      distanceQuartiles: [0.25, 0.5, 0.75].map((q) => round(sorted[Math.floor(q * (stat.n - 1))]!)),
      lastDistance: round(d),
      rows: s.rows,
    },
    eventIds: [row.eventId],
  };
}

function similaritySignal(
  s: SubjectState,
  row: PreparedRow,
  config: ExtractionConfig,
): {
  hit: boolean;
  novel: boolean;
  nearest: number;
  seen: SimilarityObservation | null;
  signal: Signal | null;
} {
  const o = config.similarity;
  if (!o || !s.similarity)
    return { hit: false, novel: false, nearest: Infinity, seen: null, signal: null };
  const seen = observeSimilarity(
    s.similarity,
    row.sketch,
    row.eventId,
    o.k,
    o.denseRadius,
    o.threshold,
  );
  const nb = seen.neighbours;
  const hit = nb !== null;
  const novel = !seen.duplicate && seen.nearest > o.noveltyDistance;
  const hits = flagCount(s.window, FLAG.similar) + (hit ? 1 : 0);
  if (!hit || hits < o.hitsToAlarm || !offCooldown(s, 'similarity', config.cooldownRows))
    return { hit, novel, nearest: seen.nearest, seen, signal: null };
  return {
    hit,
    novel,
    nearest: seen.nearest,
    seen,
    signal: {
      signal: 'similarity',
      kind: 'evasion',
      severity: 'high',
      confidence: Math.min(1, 0.6 + 0.1 * (hits - o.hitsToAlarm)),
      title: `${hits} queries within ${o.threshold} of their ${o.k} nearest recent queries`,
      evidence: {
        statistic: 'mean-knn-distance',
        meanDistance: round(nb!.meanDistance),
        threshold: o.threshold,
        k: o.k,
        neighbourDistances: nb!.distances.map(round),
        neighbourEventIds: nb!.eventIds,
        similarInWindow: hits,
        window: s.window.filled,
      },
      eventIds: [row.eventId, ...nb!.eventIds],
    },
  };
}

function probeSignal(
  s: SubjectState,
  row: PreparedRow,
  config: ExtractionConfig,
): { hit: boolean; signal: Signal | null } {
  const o = config.similarity;
  if (!o || !s.probe) return { hit: false, signal: null };
  const hit = observeProbe(s.probe, row.raw, o.probeMaxChanged);
  const hits = flagCount(s.window, FLAG.probe) + (hit ? 1 : 0);
  if (!hit || hits < o.probeHits || !offCooldown(s, 'probe', config.cooldownRows))
    return { hit, signal: null };
  return {
    hit,
    signal: {
      signal: 'probe',
      kind: 'evasion',
      severity: 'high',
      confidence: Math.min(1, 0.6 + 0.1 * (hits - o.probeHits)),
      title: `${hits} queries change only ${o.probeMaxChanged} or fewer features of an earlier query`,
      evidence: {
        statistic: 'sparse-change',
        probesInWindow: hits,
        maxChanged: o.probeMaxChanged,
        window: s.window.filled,
      },
      eventIds: [row.eventId, ...flaggedIds(s.window, FLAG.probe, 15)],
    },
  };
}

function densitySignal(
  s: SubjectState,
  row: PreparedRow,
  config: ExtractionConfig,
  seen: SimilarityObservation | null,
): { hit: boolean; signal: Signal | null } {
  const o = config.similarity;
  if (!o || !seen || seen.duplicate) return { hit: false, signal: null };
  const hit = seen.within >= o.denseCount;
  const hits = flagCount(s.window, FLAG.dense) + (hit ? 1 : 0);
  if (!hit || hits < o.denseHits || !offCooldown(s, 'density', config.cooldownRows))
    return { hit, signal: null };
  return {
    hit,
    signal: {
      signal: 'density',
      kind: 'evasion',
      severity: 'high',
      confidence: Math.min(1, 0.5 + seen.within / (4 * o.denseCount)),
      title: `${seen.within} of the last ${s.similarity!.filled} distinct queries lie within ${o.denseRadius} of this one: a single point searched around, with noise`,
      evidence: {
        statistic: 'neighbours-within-radius',
        within: seen.within,
        radius: o.denseRadius,
        denseCount: o.denseCount,
        history: s.similarity!.filled,
        nearestDistance: round(seen.nearest),
        denseInWindow: hits,
        window: s.window.filled,
      },
      eventIds: [row.eventId, ...flaggedIds(s.window, FLAG.dense, 15)],
    },
  };
}

function stepSignal(
  s: SubjectState,
  row: PreparedRow,
  config: ExtractionConfig,
  seen: SimilarityObservation | null,
): { hit: boolean; signal: Signal | null } {
  const o = config.step;
  if (!o || !s.step || !seen) return { hit: false, signal: null };
  const match = observeStep(
    s.step,
    row.unit,
    row.unitHash,
    row.eventId,
    seen.nearestSlot,
    seen.storedAt,
    row.activeFeatures,
    o,
  );
  const hit = match !== null;
  const hits = flagCount(s.window, FLAG.step) + (hit ? 1 : 0);
  if (!match || hits < o.hits || !offCooldown(s, 'step', config.cooldownRows))
    return { hit, signal: null };
  return {
    hit,
    signal: {
      signal: 'step',
      kind: 'extraction',
      severity: 'high',
      confidence: Math.min(1, 0.6 + 0.1 * (hits - o.hits) + 0.2 * match.share),
      title: `${hits} queries step from an earlier query by the same per-feature amounts (${(match.stepSize * 100).toFixed(1)}% of the range on ${Math.round(match.share * 100)}% of the features): Jacobian-style augmentation`,
      evidence: {
        statistic: 'repeated-step',
        share: round(match.share),
        stepSize: round(match.stepSize),
        stepCv: round(match.cv),
        shareThreshold: o.share,
        maxCv: o.maxCv,
        parentEventId: match.parentId,
        earlierStep: [...match.earlierStep],
        stepsInWindow: hits,
        window: s.window.filled,
      },
      eventIds: [
        row.eventId,
        match.parentId,
        ...match.earlierStep,
        ...flaggedIds(s.window, FLAG.step, 12),
      ],
    },
  };
}

/** Folds one row into a subject and returns the signals it fired (after cooldown). */
export function evaluateRow(s: SubjectState, row: PreparedRow, config: ExtractionConfig): Signal[] {
  s.rows += 1;
  const signals: Signal[] = [];
  const sim = similaritySignal(s, row, config);
  if (sim.signal) signals.push(sim.signal);
  // Near-repeats (a re-sent record with a little noise) are skipped like exact repeats when
  // `prada.skipNear` is set: PRADA assumes distinct natural queries (see docs).
  const skip = config.prada && config.prada.skipNear > 0 && sim.nearest < config.prada.skipNear;
  const prada = skip ? null : pradaSignal(s, row, config);
  if (prada) signals.push(prada);
  const probe = probeSignal(s, row, config);
  if (probe.signal) signals.push(probe.signal);
  const step = stepSignal(s, row, config, sim.seen);
  if (step.signal) signals.push(step.signal);
  const dense = densitySignal(s, row, config, sim.seen);
  if (dense.signal) signals.push(dense.signal);
  const lowMargin = config.signals && row.margin !== null && row.margin < config.signals.lowMargin;
  const flags =
    (lowMargin ? FLAG.lowMargin : 0) |
    (row.margin !== null ? FLAG.marginKnown : 0) |
    (row.outlier ? FLAG.outlier : 0) |
    (sim.hit ? FLAG.similar : 0) |
    (probe.hit ? FLAG.probe : 0) |
    (sim.novel ? FLAG.novel : 0) |
    (row.crossOthers.length > 0 ? FLAG.cross : 0) |
    (step.hit ? FLAG.step : 0) |
    (dense.hit ? FLAG.dense : 0);
  pushWindow(s.window, row.label, flags, row.eventId);
  windowSignals(s, row, config, signals);
  return signals;
}
