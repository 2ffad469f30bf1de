// The streaming drift detector: fills event-time windows per model and compares each closed
// window with that model's baseline profile (compare-to-baseline.ts).
import { ATLAS, OWASP } from '../../core/index.js';
import type { InferenceEvent, Severity } from '../../core/index.js';
import type { BaselineProfile } from '../baseline/baseline-profile.js';
import type { Detector, Finding } from '../detector.js';
import { CORRECTIONS } from '../stats/index.js';
import { detectError, DetectErrorCodes } from '../errors.js';
import {
  compareToBaseline,
  DEFAULT_DRIFT_RULE,
  type DriftComparison,
  type DriftRule,
} from './compare-to-baseline.js';
import {
  addRow,
  decodeWindow,
  type DriftWindow,
  emptyWindow,
  encodeWindow,
  EVIDENCE_EVENT_IDS,
  type WindowSpec,
} from './drift-window.js';
import { readPrediction } from './prediction.js';
import { windowColumn } from './window-column.js';

export interface DriftDetectorOptions {
  /** Baseline profile per model name; events of other models are ignored. */
  baselines: Record<string, BaselineProfile>;
  window: WindowSpec;
  rule?: Partial<DriftRule>;
  name?: string; // default 'drift'
  historySize?: number; // window results kept in the state, default 20
}

/** One closed window's result, kept (bounded) in the state for the API to list. */
export interface DriftWindowResult {
  index: number;
  start: string | null;
  end: string | null;
  rows: number;
  offered: number;
  comparison: DriftComparison;
}

export interface DriftState {
  window: DriftWindow | null;
  closed: number;
  history: DriftWindowResult[];
}

const DEFAULT_MAX_ROWS = 50_000;

function validate(options: DriftDetectorOptions): void {
  const w = options.window;
  const ok =
    w.kind === 'count' ? Number.isInteger(w.size) && w.size > 0 : Number.isFinite(w.ms) && w.ms > 0;
  if (!ok)
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      'drift window: size (count) or ms (duration) must be a positive number',
    );
  for (const [model, b] of Object.entries(options.baselines)) {
    if (b?.version !== 1 || !Array.isArray(b.features))
      throw detectError(
        DetectErrorCodes.DETECT_BASELINE_INVALID,
        `drift: baseline for model "${model}" is not a version 1 profile`,
      );
  }
  const problems = ruleProblems({ ...DEFAULT_DRIFT_RULE, ...options.rule });
  if (problems.length)
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      `drift rule: ${problems.join('; ')}`,
    );
}

/** Every problem with a drift rule, reported together. */
export function ruleProblems(r: DriftRule): string[] {
  const out: string[] = [];
  const inUnit = (x: number) => Number.isFinite(x) && x > 0 && x <= 1;
  if (!inUnit(r.alpha)) out.push('alpha must be in (0, 1]');
  if (!(Number.isFinite(r.psi) && r.psi > 0)) out.push('psi must be a positive number');
  if (!inUnit(r.missingRate)) out.push('missingRate must be in (0, 1]');
  if (!inUnit(r.datasetShare)) out.push('datasetShare must be in (0, 1]');
  if (!(Number.isInteger(r.minRows) && r.minRows >= 1))
    out.push('minRows must be a positive integer');
  if (!CORRECTIONS.includes(r.correction))
    out.push(`correction must be one of ${CORRECTIONS.join(', ')}`);
  if (r.ksReference !== 'sample' && r.ksReference !== 'matched')
    out.push("ksReference must be 'sample' or 'matched'");
  return out;
}

function severityOf(c: DriftComparison): Severity {
  if (c.datasetDrift && c.share >= 0.75) return 'high';
  if (c.datasetDrift) return 'medium';
  return 'low';
}

function toFinding(
  name: string,
  model: string,
  w: DriftWindow,
  result: DriftWindowResult,
  spec: WindowSpec,
): Finding {
  const c = result.comparison;
  const drifted = c.features.filter((f) => f.drifted);
  const predictionDrift = c.prediction?.drifted === true;
  const confidenceDrift = c.confidence?.drifted === true;
  const outputs = [predictionDrift && 'prediction', confidenceDrift && 'confidence'].filter(
    Boolean,
  );
  const what = c.datasetDrift
    ? `${drifted.length} of ${c.compared} features drifted`
    : `${outputs.join(' and ')} distribution drifted`;
  return {
    time: w.lastTime!,
    detector: name,
    kind: 'drift',
    model,
    principal: null,
    sourceAddress: null,
    severity: severityOf(c),
    confidence: Math.min(1, 0.5 + c.share / 2),
    title: `Data drift on ${model}: ${what} (window ${result.index}, ${result.rows} rows)`,
    // Drift is a symptom: the ids name what it may be the first sign of, AML.T0031 Erode AI
    // Model Integrity and OWASP ML08:2023 Model Skewing (traffic steering what the model sees).
    atlasTechniques: [ATLAS.erodeModelIntegrity],
    owasp: [OWASP.modelSkewing],
    evidence: {
      baseline: { name: c.baseline },
      window: {
        index: result.index,
        spec,
        start: result.start,
        end: result.end,
        rows: result.rows,
        offered: result.offered,
      },
      share: c.share,
      rule: c.rule,
      drifted: drifted.map((f) => ({
        name: f.name,
        reasons: f.reasons,
        statistic: f.statistic,
        pValue: f.pValue,
        adjustedPValue: f.adjustedPValue,
        psi: f.psi,
        jensenShannon: f.jensenShannon,
        wasserstein: f.wasserstein,
        wassersteinStd: f.wassersteinStd,
        missingRate: f.missingRate,
      })),
      prediction: predictionDrift ? c.prediction : undefined,
      confidence: confidenceDrift ? c.confidence : undefined,
    },
    eventIds: [...w.eventIds],
  };
}

/** Creates the streaming drift detector (one state per model, kept by the runner). */
export function createDriftDetector(options: DriftDetectorOptions): Detector<DriftState> {
  validate(options);
  const name = options.name ?? 'drift';
  const rule: DriftRule = { ...DEFAULT_DRIFT_RULE, ...options.rule };
  const spec = options.window;
  const cap = spec.kind === 'count' ? spec.size : (spec.maxRows ?? DEFAULT_MAX_ROWS);
  const historySize = options.historySize ?? 20;

  function close(
    state: DriftState,
    model: string,
    baseline: BaselineProfile,
    out: Finding[],
  ): void {
    const w = state.window!;
    state.closed++;
    if (w.rows > 0) {
      const columns = baseline.features.map((p, f) => windowColumn(p, w.columns[f]!));
      const prediction = baseline.prediction
        ? windowColumn(baseline.prediction, w.predictions)
        : undefined;
      const confidence = baseline.confidence
        ? windowColumn(baseline.confidence, w.confidences)
        : undefined;
      const comparison = compareToBaseline(baseline, columns, rule, prediction, confidence);
      const result: DriftWindowResult = {
        index: w.index,
        start: w.firstTime,
        end: w.lastTime,
        rows: w.rows,
        offered: w.offered,
        comparison,
      };
      state.history.push(result);
      if (state.history.length > historySize) state.history.shift();
      const c = comparison;
      if (c.datasetDrift || c.prediction?.drifted || c.confidence?.drifted)
        out.push(toFinding(name, model, w, result, spec));
    }
    state.window = emptyWindow(baseline.features.length, state.closed, w.rng);
  }

  return {
    name,
    description:
      'Distribution drift of model inputs and predictions against a baseline (KS, PSI, Wasserstein, Jensen–Shannon, chi-square)',
    init: () => ({ window: null, closed: 0, history: [] }),
    observe(state, event: InferenceEvent): Finding[] {
      const baseline = options.baselines[event.model];
      if (!baseline || event.features === null || event.outcome !== 'ok') return [];
      const t = Date.parse(event.time);
      if (!Number.isFinite(t)) return []; // no usable event time: the event cannot be placed
      const out: Finding[] = [];
      state.window ??= emptyWindow(baseline.features.length, 0, 0x2545f491);
      if (spec.kind === 'duration') {
        const w = state.window;
        if (w.startMs !== null && t >= w.startMs + spec.ms)
          close(state, event.model, baseline, out);
        state.window.startMs ??= Math.floor(t / spec.ms) * spec.ms;
      }
      event.features.forEach((row, r) => {
        const w = state.window!;
        w.startMs ??= t;
        w.firstTime ??= event.time;
        w.lastTime = event.time;
        if (
          w.eventIds.length < EVIDENCE_EVENT_IDS &&
          w.eventIds[w.eventIds.length - 1] !== event.id
        )
          w.eventIds.push(event.id);
        const p = readPrediction(event.outputs?.[r]);
        addRow(w, row, cap, p.value ?? NaN, p.confidence ?? NaN);
        if (spec.kind === 'count' && w.rows >= spec.size) close(state, event.model, baseline, out);
      });
      return out;
    },
    stateSize(state) {
      const w = state.window;
      const values = w ? w.columns.length * w.rows + 2 * w.rows : 0;
      return 64 + values * 8 + state.history.length * 4096;
    },
    serialize: (state) => ({
      window: state.window ? encodeWindow(state.window) : null,
      closed: state.closed,
      history: state.history,
    }),
    deserialize(data) {
      const d = data as Partial<Record<keyof DriftState, unknown>> | null;
      if (!d || typeof d !== 'object' || typeof d.closed !== 'number' || !Array.isArray(d.history))
        throw detectError(
          DetectErrorCodes.DETECT_CHECKPOINT_INVALID,
          `${name}: checkpoint is not a drift state`,
        );
      return {
        window: d.window ? decodeWindow(d.window as Record<string, unknown>) : null,
        closed: d.closed,
        history: d.history as DriftWindowResult[],
      };
    },
  };
}

/** The most recent window results held in a drift state (newest last). */
export function recentDriftResults(state: DriftState): readonly DriftWindowResult[] {
  return state.history;
}
