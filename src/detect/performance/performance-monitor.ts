// Model performance from ground truth that arrives later: predictions are remembered by
// request id (bounded), labels posted through the API are joined with them, and each full
// window of labelled predictions is scored against the baseline. A relative drop beyond the
// configured limit raises an alert (the seed scenario: precision down 40% overnight).
import { ATLAS, OWASP, type Alert, createId, type InferenceEvent } from '../../core/index.js';
import type { Finding } from '../detector.js';
import { detectError, DetectErrorCodes } from '../errors.js';
import { readPrediction } from '../drift/prediction.js';
import {
  classificationMetrics,
  type LabelledPrediction,
  type Metric,
  METRICS,
  type MetricValues,
} from './classification-metrics.js';
import { FAIRNESS_GAPS, groupFairness, type FairnessGap, type FairnessReport } from './fairness.js';

export interface PerformanceMonitorOptions {
  windowSize: number; // labelled predictions per window (tumbling, in label arrival order)
  /** Baseline metrics per model (or for every model under '*'); else the first window. */
  baseline?: Record<string, Partial<MetricValues>>;
  maxRelativeDrop?: Partial<Record<Metric, number>>; // default 0.2 for every metric
  positiveLabel?: number; // default 1
  pendingLimit?: number; // predictions awaiting a label, oldest evicted (default 100 000)
  onAlert?: (alert: Alert) => void;
  name?: string; // default 'performance'
  /**
   * Largest gap between groups (labels posted with a `group`) before a fairness alert; gaps
   * not named are reported only. Default: equalised odds and accuracy 0.2.
   */
  maxFairnessGap?: Partial<Record<FairnessGap, number>>;
  /** Labelled predictions a group needs in a window to be compared (default 20). */
  minGroupSize?: number;
}

export interface PerformanceWindowResult {
  model: string;
  index: number;
  start: string; // earliest prediction time in the window
  end: string; // latest prediction time in the window
  size: number;
  metrics: MetricValues;
  baseline: Partial<MetricValues>;
  drops: Partial<Record<Metric, number>>; // relative change, negative = worse
  alerted: Metric[];
  /** Per-group metrics and gaps, when labels came with groups. */
  fairness?: FairnessReport;
  fairnessAlerted?: FairnessGap[];
}

export interface FeedbackResult {
  accepted: number;
  unknown: number; // no prediction with that request id is held (never seen, or evicted)
  duplicate: number; // the request id already has a label
  invalid: number; // not { requestId: string, label: finite number, group?: string ≤ 64 }
}

export interface Pending {
  model: string;
  time: string;
  predicted: number;
  score: number | null;
  eventId: string;
}

export interface ModelWindow {
  index: number;
  pairs: (LabelledPrediction & { time: string; eventId: string; group?: string })[];
  baseline: Partial<MetricValues> | null;
}

export interface PerformanceMonitor {
  readonly name: string;
  /** Remembers the predictions of one inference event (rows after the first as `id#i`). */
  observe(event: InferenceEvent): void;
  results(model?: string): readonly PerformanceWindowResult[];
  stats(): FeedbackResult & { pending: number; evicted: number; windows: number };
  /** JSON-safe copy of everything the monitor holds, for checkpoints. */
  snapshot(): PerformanceSnapshot;
  /** Replaces the monitor's contents with a snapshot. */
  restore(snapshot: PerformanceSnapshot): void;
  /** @internal used by recordFeedback */
  feedback(items: readonly unknown[]): { result: FeedbackResult; findings: Finding[] };
}

export interface PerformanceSnapshot {
  version: 1;
  pending: [string, Pending][];
  labelled: string[];
  windows: [string, ModelWindow][];
  history: PerformanceWindowResult[];
  totals: Record<'accepted' | 'unknown' | 'duplicate' | 'invalid' | 'evicted' | 'windows', number>;
}

const HISTORY = 50;

function validate(o: PerformanceMonitorOptions): void {
  if (!Number.isInteger(o.windowSize) || o.windowSize < 1)
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      'performance monitor: windowSize must be a positive integer',
    );
  for (const [g, v] of Object.entries(o.maxFairnessGap ?? {}))
    if (
      !(FAIRNESS_GAPS as readonly string[]).includes(g) ||
      !(typeof v === 'number' && v > 0 && v <= 1)
    )
      throw detectError(
        DetectErrorCodes.DETECT_OPTIONS_INVALID,
        `performance monitor: maxFairnessGap.${g} must be one of ${FAIRNESS_GAPS.join(', ')} with a value in (0, 1]`,
      );
  for (const [m, v] of Object.entries(o.maxRelativeDrop ?? {}))
    if (!(typeof v === 'number' && v > 0 && v <= 1))
      throw detectError(
        DetectErrorCodes.DETECT_OPTIONS_INVALID,
        `performance monitor: maxRelativeDrop.${m} must be in (0, 1]`,
      );
}

/** Creates a performance monitor; feed it events with observe() and labels with recordFeedback(). */
export function createPerformanceMonitor(options: PerformanceMonitorOptions): PerformanceMonitor {
  validate(options);
  const name = options.name ?? 'performance';
  const positive = options.positiveLabel ?? 1;
  const limit = options.pendingLimit ?? 100_000;
  const maxDrop: Record<Metric, number> = {
    accuracy: 0.2,
    precision: 0.2,
    recall: 0.2,
    f1: 0.2,
    rocAuc: 0.2,
    ...options.maxRelativeDrop,
  };
  const maxGap: Partial<Record<FairnessGap, number>> = options.maxFairnessGap ?? {
    equalisedOddsDifference: 0.2,
    accuracyGap: 0.2,
  };
  const pending = new Map<string, Pending>();
  const labelled = new Set<string>(); // bounded like pending, for duplicate detection
  const windows = new Map<string, ModelWindow>();
  const history: PerformanceWindowResult[] = [];
  const totals = { accepted: 0, unknown: 0, duplicate: 0, invalid: 0, evicted: 0, windows: 0 };

  function remember(id: string, p: Pending): void {
    if (pending.has(id) || labelled.has(id)) return;
    pending.set(id, p);
    if (pending.size > limit) {
      pending.delete(pending.keys().next().value!);
      totals.evicted++;
    }
  }

  function fairnessOf(
    w: ModelWindow,
  ): Pick<PerformanceWindowResult, 'fairness' | 'fairnessAlerted'> {
    if (!w.pairs.some((p) => p.group !== undefined)) return {};
    const fairness = groupFairness(w.pairs, positive, options.minGroupSize ?? 20);
    const fairnessAlerted = FAIRNESS_GAPS.filter((g) => {
      const limit = maxGap[g];
      const gap = fairness[g];
      return limit !== undefined && gap !== null && gap >= limit;
    });
    return { fairness, fairnessAlerted };
  }

  function closeWindow(model: string, w: ModelWindow): Finding[] {
    const metrics = classificationMetrics(w.pairs, positive);
    const configured = options.baseline?.[model] ?? options.baseline?.['*'];
    w.baseline ??= configured ?? metrics;
    const drops: Partial<Record<Metric, number>> = {};
    const alerted: Metric[] = [];
    for (const m of METRICS) {
      const b = w.baseline[m];
      const c = metrics[m];
      if (b === null || b === undefined || c === null || b <= 0) continue;
      drops[m] = (c - b) / b;
      if (-drops[m]! >= maxDrop[m]) alerted.push(m);
    }
    const times = w.pairs.map((p) => p.time).sort();
    const result: PerformanceWindowResult = {
      model,
      index: w.index,
      start: times[0]!,
      end: times[times.length - 1]!,
      size: w.pairs.length,
      metrics,
      baseline: w.baseline,
      drops,
      alerted,
      ...fairnessOf(w),
    };
    history.push(result);
    if (history.length > HISTORY) history.shift();
    totals.windows++;
    const eventIds = w.pairs.slice(0, 20).map((p) => p.eventId);
    w.pairs = [];
    w.index++;
    const out: Finding[] = [];
    if (alerted.length > 0) out.push(toFinding(result, eventIds));
    if (result.fairnessAlerted?.length) out.push(fairnessFinding(result, eventIds));
    return out;
  }

  function fairnessFinding(r: PerformanceWindowResult, eventIds: string[]): Finding {
    const f = r.fairness!;
    const gaps = r.fairnessAlerted!.map((g) => `${g} ${f[g]!.toFixed(2)}`).join(', ');
    return {
      time: r.end,
      detector: `${name}.fairness`,
      kind: 'fairness',
      model: r.model,
      principal: null,
      sourceAddress: null,
      severity: 'medium',
      confidence: Math.min(1, 0.5 + r.size / 1000),
      title: `Fairness gap on ${r.model}: ${gaps} between ${Object.keys(f.groups).length} groups (window ${r.index}, ${r.size} labels)`,
      // Outcomes that differ by group after an incident: the model's integrity is eroded
      // (AML.T0031), possibly through skewed data (OWASP ML08:2023 Model Skewing).
      atlasTechniques: [ATLAS.erodeModelIntegrity],
      owasp: [OWASP.modelSkewing],
      evidence: {
        window: { index: r.index, start: r.start, end: r.end, size: r.size },
        fairness: f,
        alerted: r.fairnessAlerted,
        maxFairnessGap: maxGap,
      },
      eventIds,
    };
  }

  function toFinding(r: PerformanceWindowResult, eventIds: string[]): Finding {
    const worst = r.alerted.reduce((a, m) => (r.drops[m]! < r.drops[a]! ? m : a), r.alerted[0]!);
    const pct = Math.round(-r.drops[worst]! * 100);
    return {
      time: r.end,
      detector: name,
      kind: 'performance',
      model: r.model,
      principal: null,
      sourceAddress: null,
      severity: -r.drops[worst]! >= 0.4 ? 'high' : 'medium',
      confidence: Math.min(1, 0.5 + r.size / 1000),
      title: `Performance drop on ${r.model}: ${worst} down ${pct}% against the baseline (window ${r.index}, ${r.size} labels)`,
      // A drop on labelled traffic is the symptom of a poisoned or eroded model (what caused it
      // is the incident's question): AML.T0020 Poison Training Data, AML.T0031 Erode AI Model
      // Integrity; OWASP ML02:2023 Data Poisoning, ML10:2023 Model Poisoning.
      atlasTechniques: [ATLAS.poisonTrainingData, ATLAS.erodeModelIntegrity],
      owasp: [OWASP.dataPoisoning, OWASP.modelPoisoning],
      evidence: {
        window: { index: r.index, start: r.start, end: r.end, size: r.size },
        metrics: r.metrics,
        baseline: r.baseline,
        drops: r.drops,
        alerted: r.alerted,
        maxRelativeDrop: maxDrop,
        ...(r.fairness ? { fairness: r.fairness } : {}),
      },
      eventIds,
    };
  }

  function accept(id: string, label: number, group: string | undefined, findings: Finding[]): void {
    const p = pending.get(id)!;
    pending.delete(id);
    labelled.add(id);
    if (labelled.size > limit) labelled.delete(labelled.values().next().value!);
    let w = windows.get(p.model);
    if (!w) windows.set(p.model, (w = { index: 0, pairs: [], baseline: null }));
    w.pairs.push({
      predicted: p.predicted,
      label,
      score: p.score,
      time: p.time,
      eventId: p.eventId,
      ...(group === undefined ? {} : { group }),
    });
    if (w.pairs.length >= options.windowSize) findings.push(...closeWindow(p.model, w));
  }

  return {
    name,
    observe(event) {
      if (
        event.outputs === null ||
        event.outcome !== 'ok' ||
        !Number.isFinite(Date.parse(event.time))
      )
        return;
      event.outputs.forEach((output, i) => {
        const p = readPrediction(output);
        if (p.value === null) return;
        const id = i === 0 ? event.requestId : `${event.requestId}#${i}`;
        remember(id, {
          model: event.model,
          time: event.time,
          predicted: p.value,
          score: p.positiveScore,
          eventId: event.id,
        });
      });
    },
    results: (model) => (model === undefined ? history : history.filter((r) => r.model === model)),
    stats: () => ({ ...totals, pending: pending.size }),
    snapshot: () =>
      structuredClone({
        version: 1 as const,
        pending: [...pending],
        labelled: [...labelled],
        windows: [...windows],
        history,
        totals,
      }),
    restore(snap) {
      if (snap?.version !== 1 || !Array.isArray(snap.pending) || !Array.isArray(snap.windows))
        throw detectError(
          DetectErrorCodes.DETECT_CHECKPOINT_INVALID,
          `${name}: not a version 1 performance snapshot`,
        );
      const copy = structuredClone(snap);
      pending.clear();
      copy.pending.forEach(([k, v]) => pending.set(k, v));
      labelled.clear();
      copy.labelled.forEach((k) => labelled.add(k));
      windows.clear();
      copy.windows.forEach(([k, v]) => windows.set(k, v));
      history.splice(0, history.length, ...copy.history);
      Object.assign(totals, copy.totals);
    },
    feedback(items) {
      const result: FeedbackResult = { accepted: 0, unknown: 0, duplicate: 0, invalid: 0 };
      const findings: Finding[] = [];
      for (const item of items) {
        const it = item as { requestId?: unknown; label?: unknown; group?: unknown } | null;
        if (
          typeof it?.requestId !== 'string' ||
          typeof it.label !== 'number' ||
          !Number.isFinite(it.label) ||
          (it.group !== undefined &&
            (typeof it.group !== 'string' || it.group.length === 0 || it.group.length > 64))
        )
          result.invalid++;
        else if (labelled.has(it.requestId)) result.duplicate++;
        else if (!pending.has(it.requestId)) result.unknown++;
        else {
          accept(it.requestId, it.label, it.group as string | undefined, findings);
          result.accepted++;
        }
      }
      for (const k of ['accepted', 'unknown', 'duplicate', 'invalid'] as const)
        totals[k] += result[k];
      for (const f of findings)
        options.onAlert?.({ id: createId('alr', Date.parse(f.time)), ...f });
      return { result, findings };
    },
  };
}

/**
 * Joins ground-truth labels with remembered predictions (what `POST /feedback` calls).
 * Never throws for bad items: unknown ids, duplicates and malformed items are counted.
 */
export function recordFeedback(
  monitor: PerformanceMonitor,
  items: readonly { requestId: string; label: number; group?: string }[],
): FeedbackResult {
  return monitor.feedback(items).result;
}
