import type { Severity } from '../../src/core/index.js';
import type { Detector } from '../../src/detect/detector.js';
import {
  buildModelBaseline,
  createExtractionDetector,
  type ExtractionOptions,
  type ExtractionState,
} from '../../src/detect/extraction/index.js';
import { attackTable, TRIAL_KEYS, type AttackRow } from './attack-table.js';
import { BENIGN_KINDS, KIND_MIX, type BenignKind } from './benign-kinds.js';
import { declaredEntitlements, runBenignPopulation } from './benign-population.js';
import { calibrate } from './calibrate.js';
import { featureRanges, readSplit } from './data.js';
import { createOnnxTarget } from './onnx-target.js';

export type { AttackRow } from './attack-table.js';

export interface EvalOptions {
  readonly root: string;
  readonly model: string;
  readonly benignPrincipals: number;
  /** Queries of each working-set principal (the other kinds follow their own daily volume). */
  readonly benignQueries: number;
  readonly calibrationPrincipals: number;
  readonly extractionRuns: number;
  readonly evasionRuns: number;
  readonly extractionBudget: number;
  readonly evasionBudget: number;
  readonly adaptive: boolean;
  readonly seed: number;
  /** Runs per adaptive variant; default half the evasion runs (at least 2). */
  readonly adaptiveRuns?: number;
  /** Days of event time per block of benign principals; default 3. */
  readonly benignDays?: number;
  /** Which adaptive (variant, attack) pairs to run; default all. */
  readonly only?: (variant: string, attack: string) => boolean;
  /** Detector options to use instead of calibrating (e.g. an earlier run's calibrated values). */
  readonly fixedOptions?: ExtractionOptions;
}

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export interface BenignResult {
  principals: number;
  rows: number;
  /** Benign principals (keys) with any finding. */
  flagged: number;
  share: number;
  /** Principals by the highest severity of their findings. */
  bySeverity: Record<string, number>;
  /** Flagged principals per kind, out of how many of that kind. */
  byKind: Record<string, { principals: number; flagged: number }>;
  bySignal: Record<string, number>;
  /** Per-network findings (they name no principal). */
  networksFlagged: number;
  detectSeconds: number;
  microsPerRow: number;
}

export interface ModelResult {
  readonly model: string;
  readonly options: ExtractionOptions;
  readonly calibration: Record<string, unknown>;
  readonly benign: BenignResult;
  readonly attacks: AttackRow[];
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Calibrates on the reference split, then measures benign false alarms and attacks on holdout. */
export async function evaluateModel(o: EvalOptions): Promise<ModelResult> {
  const train = readSplit(o.root, o.model, 'train');
  const reference = readSplit(o.root, o.model, 'reference');
  const holdout = readSplit(o.root, o.model, 'holdout');
  const classCount = Math.max(...train.labels) + 1;
  const { min, max } = featureRanges([...train.rows, ...reference.rows]);
  // The baseline comes from the training data (what a model owner has); tuning replays the
  // reference split and measurement the holdout split, so neither is scored against itself.
  const baseline = buildModelBaseline(train.rows, { model: o.model, classCount });
  const target = await createOnnxTarget(`${o.root}/models/${o.model}/model.onnx`);
  try {
    const calibrated = o.fixedOptions
      ? { options: o.fixedOptions, grids: {} }
      : await calibrate(baseline, target, {
          model: o.model,
          samples: reference.rows,
          min,
          max,
          principals: o.calibrationPrincipals,
          queries: o.benignQueries,
          seed: o.seed + 1000,
        });
    const population = {
      model: o.model,
      // Distinct rows run out: the benign kinds resample holdout and train rows (SMOTE-style).
      samples: [...holdout.rows, ...train.rows],
      min,
      max,
      principals: o.benignPrincipals,
      queries: o.benignQueries,
      seed: o.seed,
      mix: KIND_MIX,
      days: o.benignDays ?? 3,
    };
    const options: ExtractionOptions = {
      ...calibrated.options,
      profile: { keys: { ...declaredEntitlements(population), ...TRIAL_KEYS } },
    };
    const detector = createExtractionDetector(baseline, options);
    const state = detector.init();
    const [r] = await runBenignPopulation([detector as Detector<unknown>], target, population, [
      state,
    ]);
    const benign = summarise(r!);
    // Attacks run on fresh states that know the benign population's peer groups.
    const peers = state.profile?.peers ?? {};
    const init = (): ExtractionState => {
      const s = detector.init();
      if (s.profile) s.profile.peers = structuredClone(peers);
      return s;
    };
    const attacks = await attackTable(
      {
        model: o.model,
        seed: o.seed,
        target,
        baseline,
        min,
        max,
        classCount,
        train,
        holdout,
        extractionRuns: o.extractionRuns,
        evasionRuns: o.evasionRuns,
        adaptiveRuns: o.adaptiveRuns ?? Math.max(2, Math.floor(o.evasionRuns / 2)),
        extractionBudget: o.extractionBudget,
        evasionBudget: o.evasionBudget,
        adaptive: o.adaptive,
        ...(o.only ? { only: o.only } : {}),
      },
      detector,
      init,
    );
    const calibration = {
      split: 'reference',
      principals: o.calibrationPrincipals,
      grids: calibrated.grids,
    };
    return { model: o.model, options: calibrated.options, calibration, benign, attacks };
  } finally {
    await target.release();
  }
}

function summarise(r: Awaited<ReturnType<typeof runBenignPopulation>>[number]): BenignResult {
  const bySeverity: Record<string, number> = {};
  const bySignal: Record<string, number> = {};
  const byKind = Object.fromEntries(
    BENIGN_KINDS.map((k) => [k, { principals: 0, flagged: 0 }]),
  ) as Record<BenignKind, { principals: number; flagged: number }>;
  for (const kind of r.kinds.values()) byKind[kind].principals += 1;
  let flagged = 0;
  let networksFlagged = 0;
  for (const [subject, fs] of r.flagged) {
    for (const d of new Set(fs.map((f) => f.detector))) bySignal[d] = (bySignal[d] ?? 0) + 1;
    const kind = r.kinds.get(subject);
    if (!kind) {
      networksFlagged += 1;
      continue;
    }
    flagged += 1;
    byKind[kind].flagged += 1;
    const top = fs.reduce(
      (a, f) => (rank(f.severity) > rank(a) ? f.severity : a),
      'low' as Severity,
    );
    bySeverity[top] = (bySeverity[top] ?? 0) + 1;
  }
  return {
    principals: r.principals,
    rows: r.rows,
    flagged,
    share: flagged / r.principals,
    bySeverity,
    byKind,
    bySignal,
    networksFlagged,
    detectSeconds: r.detectSeconds,
    microsPerRow: (r.detectSeconds * 1e6) / r.rows,
  };
}
