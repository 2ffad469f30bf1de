// Output monitoring without labels: a model's answers (class shares and confidence) are
// profiled per version from live traffic, and each window of answers is compared with the
// profile of the version that served before. A newly deployed version that answers
// differently (a poisoned retrain, a swapped file) is caught within one window.
import { ATLAS, OWASP, policyTraceHas } from '../../core/index.js';
import type { InferenceEvent } from '../../core/index.js';
import type { Detector, Finding } from '../detector.js';
import { detectError, DetectErrorCodes } from '../errors.js';
import { chiSquareContingency, psi } from '../stats/index.js';
import { readPrediction } from './prediction.js';

export interface OutputDriftOptions {
  name?: string; // default 'output-drift'
  /** Rows that make a version's profile the reference (and a clean new version the next one). */
  referenceRows?: number;
  /** Rows per compared window. */
  windowRows?: number;
  /** Chi-square p-value below which class shares differ... */
  alpha?: number;
  /** ...when they also moved by at least this total variation distance. */
  minShift?: number;
  /** PSI of the confidence histogram that counts as drift on its own. */
  confidencePsi?: number;
  /** A window is judged only when no single principal sent more than this share of it. */
  maxPrincipalShare?: number;
  /** Windows to stay quiet about a version after alerting on it. */
  cooldownWindows?: number;
}

const CONFIDENCE_BINS = 10;
const MAX_CLASSES = 50;
const MAX_PRINCIPALS = 64;
const MAX_VERSIONS = 4;

export interface OutputProfile {
  rows: number;
  classes: Record<string, number>;
  confidence: number[];
}

interface OutputWindow {
  version: string;
  profile: OutputProfile;
  principals: Record<string, number>;
  /** How many principals `principals` holds (kept, not counted per event; at most 64). */
  principalCount?: number;
  eventIds: string[];
  firstTime: string;
}

export interface OutputDriftState {
  reference: { version: string; profile: OutputProfile } | null;
  building: Record<string, OutputProfile>;
  window: OutputWindow | null;
  windows: number;
  /** Version → window number of its last alert. */
  alerted: Record<string, number>;
}

const emptyProfile = (): OutputProfile => ({
  rows: 0,
  classes: {},
  confidence: new Array<number>(CONFIDENCE_BINS).fill(0),
});

function addAnswer(p: OutputProfile, output: unknown): boolean {
  const { value, confidence } = readPrediction(output);
  if (value === null) return false;
  let key = String(value);
  if (!(key in p.classes) && Object.keys(p.classes).length >= MAX_CLASSES) key = 'other';
  p.classes[key] = (p.classes[key] ?? 0) + 1;
  if (confidence !== null && confidence >= 0 && confidence <= 1)
    p.confidence[Math.min(CONFIDENCE_BINS - 1, Math.floor(confidence * CONFIDENCE_BINS))]! += 1;
  p.rows++;
  return true;
}

const shares = (p: OutputProfile, keys: string[]) =>
  keys.map((k) => (p.classes[k] ?? 0) / Math.max(1, p.rows));

export interface OutputComparison {
  classesPValue: number;
  totalVariation: number;
  confidencePsi: number;
  reference: Record<string, number>;
  current: Record<string, number>;
  meanConfidence: { reference: number | null; current: number | null };
}

export function compareOutputs(reference: OutputProfile, current: OutputProfile): OutputComparison {
  const keys = [...new Set([...Object.keys(reference.classes), ...Object.keys(current.classes)])];
  const a = shares(reference, keys);
  const b = shares(current, keys);
  const tvd = keys.reduce((s, _, i) => s + Math.abs(a[i]! - b[i]!), 0) / 2;
  const test =
    keys.length > 1
      ? chiSquareContingency([
          keys.map((k) => reference.classes[k] ?? 0),
          keys.map((k) => current.classes[k] ?? 0),
        ])
      : { pValue: 1 };
  const confRef = reference.confidence.reduce((s, c) => s + c, 0);
  const confCur = current.confidence.reduce((s, c) => s + c, 0);
  const mean = (h: number[], n: number) =>
    n > 0 ? h.reduce((s, c, i) => s + c * ((i + 0.5) / CONFIDENCE_BINS), 0) / n : null;
  return {
    classesPValue: test.pValue,
    totalVariation: tvd,
    confidencePsi: confRef > 0 && confCur > 0 ? psi(reference.confidence, current.confidence) : 0,
    reference: Object.fromEntries(keys.map((k, i) => [k, a[i]!])),
    current: Object.fromEntries(keys.map((k, i) => [k, b[i]!])),
    meanConfidence: {
      reference: mean(reference.confidence, confRef),
      current: mean(current.confidence, confCur),
    },
  };
}

/** Creates the output-drift detector (one state per model, kept by the runner). */
export function createOutputDriftDetector(
  options: OutputDriftOptions = {},
): Detector<OutputDriftState> {
  const o = {
    name: 'output-drift',
    referenceRows: 1000,
    windowRows: 150,
    alpha: 1e-6,
    minShift: 0.1,
    confidencePsi: 0.25,
    maxPrincipalShare: 0.5,
    cooldownWindows: 10,
    ...options,
  };
  if (!(o.windowRows >= 20 && o.referenceRows >= o.windowRows && o.alpha > 0 && o.alpha < 1))
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      'output drift: windowRows must be ≥ 20, referenceRows ≥ windowRows and alpha in (0, 1)',
    );

  function judge(state: OutputDriftState, model: string, w: OutputWindow, time: string): Finding[] {
    state.windows++;
    const ref = state.reference!;
    const top = Math.max(0, ...Object.values(w.principals));
    if (top / w.profile.rows > o.maxPrincipalShare) return [];
    const c = compareOutputs(ref.profile, w.profile);
    const classes = c.classesPValue < o.alpha && c.totalVariation >= o.minShift;
    const confidence = c.confidencePsi >= o.confidencePsi;
    if (!classes && !confidence) {
      // A new version that answers like the reference over enough traffic becomes the reference.
      if (w.version !== ref.version && !(w.version in state.alerted)) {
        const p = (state.building[w.version] ??= emptyProfile());
        mergeInto(p, w.profile);
        if (p.rows >= o.referenceRows) {
          state.reference = { version: w.version, profile: p };
          delete state.building[w.version];
        }
      }
      return [];
    }
    const last = state.alerted[w.version];
    state.alerted[w.version] = state.windows;
    if (last !== undefined && state.windows - last <= o.cooldownWindows) return [];
    const newVersion = w.version !== ref.version;
    const what = [classes && 'class shares', confidence && 'confidence']
      .filter(Boolean)
      .join(' and ');
    return [
      {
        time,
        detector: o.name,
        kind: 'drift',
        model,
        principal: null,
        sourceAddress: null,
        severity: newVersion ? 'medium' : 'low',
        confidence: Math.min(1, 0.5 + c.totalVariation),
        title: newVersion
          ? `Version ${w.version} of ${model} answers differently from ${ref.version}: ${what} moved (${w.profile.rows} answers, no labels needed)`
          : `Answers of ${model} ${w.version} drifted from its own profile: ${what} moved`,
        atlasTechniques: newVersion
          ? [ATLAS.poisonTrainingData, ATLAS.erodeModelIntegrity]
          : [ATLAS.erodeModelIntegrity],
        owasp: newVersion ? [OWASP.dataPoisoning, OWASP.modelPoisoning] : [OWASP.modelPoisoning],
        evidence: {
          version: w.version,
          referenceVersion: ref.version,
          referenceRows: ref.profile.rows,
          windowRows: w.profile.rows,
          windowStart: w.firstTime,
          principals: w.principalCount ?? Object.keys(w.principals).length,
          classShares: { reference: c.reference, current: c.current },
          classesPValue: c.classesPValue,
          totalVariation: c.totalVariation,
          confidencePsi: c.confidencePsi,
          meanConfidence: c.meanConfidence,
          rule: { alpha: o.alpha, minShift: o.minShift, confidencePsi: o.confidencePsi },
        },
        eventIds: [...w.eventIds],
      },
    ];
  }

  return {
    name: o.name,
    description:
      'Drift of model answers (class shares, confidence) per version against the version that served before, without labels',
    init: () => ({ reference: null, building: {}, window: null, windows: 0, alerted: {} }),
    observe(state, event: InferenceEvent): Finding[] {
      // Hardened, truncated, watermarked or fallback answers are not the model's own.
      if (event.outcome !== 'ok' || !event.outputs?.length || altersAnswers(event.policyAction))
        return [];
      const version = event.modelVersion ?? 'unversioned';
      if (!state.reference) {
        const p = (state.building[version] ??= emptyProfile());
        for (const out of event.outputs) addAnswer(p, out);
        if (p.rows >= o.referenceRows) {
          state.reference = { version, profile: p };
          delete state.building[version];
        }
        pruneVersions(state);
        return [];
      }
      const findings: Finding[] = [];
      if (state.window && state.window.version !== version) {
        // A version switch closes the window early; a short one is judged only if it can be.
        if (state.window.profile.rows >= o.windowRows / 2)
          findings.push(...judge(state, event.model, state.window, event.time));
        state.window = null;
      }
      const w = (state.window ??= {
        version,
        profile: emptyProfile(),
        principals: {},
        principalCount: 0,
        eventIds: [],
        firstTime: event.time,
      });
      let added = 0;
      for (const out of event.outputs) if (addAnswer(w.profile, out)) added++;
      if (added > 0) {
        const who = event.keyId ?? event.principal ?? event.sourceAddress;
        // A window restored from a checkpoint written before the count was kept counts once.
        w.principalCount ??= Object.keys(w.principals).length;
        if (Object.hasOwn(w.principals, who)) w.principals[who]! += added;
        else if (w.principalCount < MAX_PRINCIPALS) {
          // Defined, not assigned: a principal named `__proto__` is a key like any other.
          Object.defineProperty(w.principals, who, {
            value: added,
            writable: true,
            enumerable: true,
            configurable: true,
          });
          w.principalCount++;
        }
        if (w.eventIds.length < 20) w.eventIds.push(event.id);
      }
      if (w.profile.rows >= o.windowRows) {
        findings.push(...judge(state, event.model, w, event.time));
        state.window = null;
      }
      pruneVersions(state);
      return findings;
    },
    stateSize: (state) =>
      256 + (Object.keys(state.building).length + 2) * (MAX_CLASSES * 24 + CONFIDENCE_BINS * 8),
    serialize: (state) => state,
    deserialize(data) {
      const d = data as Partial<OutputDriftState> | null;
      if (
        !d ||
        typeof d !== 'object' ||
        typeof d.windows !== 'number' ||
        typeof d.building !== 'object'
      )
        throw detectError(
          DetectErrorCodes.DETECT_CHECKPOINT_INVALID,
          `${o.name}: checkpoint is not an output-drift state`,
        );
      return {
        reference: d.reference ?? null,
        building: d.building ?? {},
        window: d.window ?? null,
        windows: d.windows,
        alerted: d.alerted ?? {},
      };
    },
  };
}

/** Containment kinds that change what the model answered (a pin or a rate limit does not). */
const altersAnswers = (policyAction: string | null) =>
  policyTraceHas(policyAction, 'harden_output', 'watermark');

function mergeInto(into: OutputProfile, from: OutputProfile): void {
  into.rows += from.rows;
  for (const [k, n] of Object.entries(from.classes)) into.classes[k] = (into.classes[k] ?? 0) + n;
  from.confidence.forEach((n, i) => (into.confidence[i]! += n));
}

/** Keeps the profiles under construction to the few most recent versions. */
function pruneVersions(state: OutputDriftState): void {
  const versions = Object.keys(state.building);
  for (const v of versions.slice(0, Math.max(0, versions.length - MAX_VERSIONS)))
    delete state.building[v];
  const alerted = Object.keys(state.alerted);
  for (const v of alerted.slice(0, Math.max(0, alerted.length - 4 * MAX_VERSIONS)))
    delete state.alerted[v];
}
