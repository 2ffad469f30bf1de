import type { Signal, PreparedRow } from './evaluate-row.js';
import type { ExtractionConfig } from './options.js';
import { countVolume, offCooldown, type SubjectState } from './subject-state.js';
import { classBalance, FLAG, flagCount, flaggedIds } from './window-state.js';

const round = (v: number) => Math.round(v * 1e6) / 1e6;

type WindowCheck = (s: SubjectState, row: PreparedRow, config: ExtractionConfig) => Signal | null;

const outlierSignal: WindowCheck = (s, row, config) => {
  const o = config.signals;
  const w = s.window;
  const outliers = flagCount(w, FLAG.outlier);
  if (
    !o ||
    !row.outlier ||
    outliers < o.outlierHits ||
    !offCooldown(s, 'outlier', config.cooldownRows)
  )
    return null;
  return {
    signal: 'outlier',
    kind: 'anomaly',
    severity: 'medium',
    confidence: Math.min(1, outliers / (2 * o.outlierHits)),
    title: `${outliers} of the last ${w.filled} queries lie outside the model's reference data`,
    evidence: { statistic: 'outlier-count', outliers, window: w.filled },
    eventIds: flaggedIds(w, FLAG.outlier, 16),
  };
};

const boundarySignal: WindowCheck = (s, _row, config) => {
  const o = config.signals;
  const w = s.window;
  const known = flagCount(w, FLAG.marginKnown);
  const share = known > 0 ? flagCount(w, FLAG.lowMargin) / known : 0;
  if (
    !o ||
    known < o.minRows ||
    share < o.lowMarginShare ||
    !offCooldown(s, 'boundary', config.cooldownRows)
  )
    return null;
  return {
    signal: 'boundary',
    kind: 'extraction',
    severity: 'medium',
    confidence: share,
    title: `${Math.round(share * 100)}% of recent answers are near the decision boundary`,
    evidence: {
      statistic: 'low-margin-share',
      share: round(share),
      lowMargin: o.lowMargin,
      window: known,
      ...classBalance(w),
    },
    eventIds: flaggedIds(w, FLAG.lowMargin, 16),
  };
};

const crossSignal: WindowCheck = (s, row, config) => {
  const c = config.cross;
  const w = s.window;
  const hits = flagCount(w, FLAG.cross);
  // Under the behaviour profile, cross-principal neighbours only add to the score.
  if (
    !c ||
    config.profile ||
    row.crossOthers.length === 0 ||
    hits < c.hits ||
    !offCooldown(s, 'cross', config.cooldownRows)
  )
    return null;
  return {
    signal: 'cross',
    kind: 'evasion',
    severity: 'high',
    confidence: Math.min(1, 0.5 + 0.1 * hits),
    title: `${hits} recent queries sit next to different queries from other principals (${row.crossOthers.slice(0, 5).join(', ')})`,
    evidence: {
      statistic: 'cross-principal-lsh',
      crossHits: hits,
      otherPrincipals: row.crossOthers.slice(0, 20),
      width: c.width,
      window: w.filled,
    },
    eventIds: flaggedIds(w, FLAG.cross, 16),
  };
};

const noveltySignal: WindowCheck = (s, _row, config) => {
  const o = config.similarity;
  const w = s.window;
  const novel = flagCount(w, FLAG.novel);
  if (
    !o ||
    config.profile ||
    w.filled < o.noveltyMinRows ||
    novel / w.filled < o.noveltyShare ||
    !offCooldown(s, 'novelty', config.cooldownRows)
  ) {
    return null;
  }
  return {
    signal: 'novelty',
    kind: 'extraction',
    severity: 'low',
    confidence: novel / w.filled,
    title: `${novel} of the last ${w.filled} queries are new points far from everything this client sent before`,
    evidence: {
      statistic: 'novel-share',
      share: round(novel / w.filled),
      noveltyDistance: o.noveltyDistance,
      window: w.filled,
      ...classBalance(w),
    },
    eventIds: flaggedIds(w, FLAG.novel, 16),
  };
};

const volumeSignal: WindowCheck = (s, row, config) => {
  const o = config.signals;
  if (!o) return null;
  const vol = countVolume(s, row.timeMs);
  // The profile judges volume per key against its entitlement, history and peers instead.
  if (config.profile) return null;
  const over = vol.hours >= 3 && vol.count > Math.max(o.volumeMin, o.volumeFactor * vol.baseline);
  if (!over || !offCooldown(s, 'volume', config.cooldownRows)) return null;
  return {
    signal: 'volume',
    kind: 'extraction',
    severity: 'medium',
    confidence: 0.6,
    title: `${vol.count} queries this hour against an own baseline of ${vol.baseline.toFixed(0)}`,
    evidence: {
      statistic: 'hourly-volume',
      count: vol.count,
      baseline: round(vol.baseline),
      hours: vol.hours,
      ...classBalance(s.window),
    },
    eventIds: [row.eventId],
  };
};

const CHECKS: readonly WindowCheck[] = [
  outlierSignal,
  boundarySignal,
  crossSignal,
  noveltySignal,
  volumeSignal,
];

/** Appends to `out` the signals read off the subject's window once the row is in it (each with its own cooldown). */
export function windowSignals(
  s: SubjectState,
  row: PreparedRow,
  config: ExtractionConfig,
  out: Signal[] = [],
): Signal[] {
  for (const check of CHECKS) {
    const signal = check(s, row, config);
    if (signal) out.push(signal);
  }
  return out;
}
