import {
  buildModelBaseline,
  createExtractionDetector,
  type ExtractionOptions,
  type ModelBaseline,
} from '../../src/detect/extraction/index.js';
import type { Detector } from '../../src/detect/detector.js';
import type { AttackContext, AttackReport, QueryTarget } from '../../src/drill/attacks/index.js';
import { noisyTarget, interleaveBenign } from './adaptive.js';
import {
  EVASION_ATTACKS,
  EXTRACTION_ATTACKS,
  context,
  expose,
  recordAttack,
} from './attack-runs.js';
import { runBenignPopulation } from './benign-population.js';
import { calibrate } from './calibrate.js';
import { featureRanges, readSplit, type Split } from './data.js';
import { createOnnxTarget } from './onnx-target.js';

export interface EvalOptions {
  readonly root: string;
  readonly model: string;
  readonly benignPrincipals: number;
  readonly benignQueries: number;
  readonly calibrationPrincipals: number;
  readonly extractionRuns: number;
  readonly evasionRuns: number;
  readonly extractionBudget: number;
  readonly evasionBudget: number;
  readonly adaptive: boolean;
  readonly seed: number;
}

export interface AttackRow {
  readonly attack: string;
  readonly variant: string;
  readonly runs: number;
  readonly detected: number;
  readonly medianFirstAlarm: number | null;
  readonly medianQueries: number;
  /** Extraction: median surrogate agreement; evasion: attack success rate. */
  readonly outcome: number;
  readonly detectors: string[];
}

export interface ModelResult {
  readonly model: string;
  readonly options: ExtractionOptions;
  readonly calibration: Record<string, unknown>;
  readonly benign: {
    principals: number;
    rows: number;
    flagged: number;
    share: number;
    bySignal: Record<string, number>;
    detectSeconds: number;
    microsPerRow: number;
  };
  readonly attacks: AttackRow[];
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Setup {
  readonly o: EvalOptions;
  readonly target: QueryTarget;
  readonly baseline: ModelBaseline;
  readonly min: number[];
  readonly max: number[];
  readonly classCount: number;
  readonly train: Split;
  readonly holdout: Split;
  readonly reference: Split;
}

async function benignOnHoldout(
  s: Setup,
  detector: Detector<unknown>,
): Promise<ModelResult['benign']> {
  const [r] = await runBenignPopulation([detector], s.target, {
    model: s.o.model,
    samples: s.holdout.rows,
    min: s.min,
    max: s.max,
    principals: s.o.benignPrincipals,
    queries: s.o.benignQueries,
    seed: s.o.seed,
  });
  const bySignal: Record<string, number> = {};
  for (const fs of r!.flagged.values())
    for (const d of new Set(fs.map((f) => f.detector))) bySignal[d] = (bySignal[d] ?? 0) + 1;
  return {
    principals: r!.principals,
    rows: r!.rows,
    flagged: r!.flagged.size,
    share: r!.flagged.size / r!.principals,
    bySignal,
    detectSeconds: r!.detectSeconds,
    microsPerRow: (r!.detectSeconds * 1e6) / r!.rows,
  };
}

type Variant = {
  name: string;
  keys?: number;
  sameNetwork?: boolean;
  noise?: number;
  interleave?: number;
};
const VARIANTS: Variant[] = [
  { name: 'noise 2%', noise: 0.02 },
  { name: 'interleave 1:3 benign', interleave: 3 },
  { name: 'spread 10 keys, one /24', keys: 10, sameNetwork: true },
  { name: 'spread 10 keys, 10 networks', keys: 10, sameNetwork: false },
];

async function attackRow(
  s: Setup,
  detector: Detector<unknown>,
  attack: string,
  variant: Variant,
  runs: number,
  run: (t: QueryTarget, ctx: AttackContext, i: number) => Promise<AttackReport>,
): Promise<AttackRow> {
  const firsts: number[] = [];
  const queries: number[] = [];
  const outcomes: number[] = [];
  const detectors = new Set<string>();
  for (let i = 0; i < runs; i += 1) {
    const seed = s.o.seed * 100 + i;
    const noise = variant.noise;
    const recorded = await recordAttack(
      (t) => run(t, context(s.min, s.max, s.classCount, seed), i),
      s.target,
      noise ? (t) => noisyTarget(t, { sigma: noise, min: s.min, max: s.max, seed }) : undefined,
    );
    const mixed = variant.interleave
      ? await interleaveBenign(s.target, recorded.log, {
          perAttack: variant.interleave,
          samples: s.holdout.rows,
          min: s.min,
          max: s.max,
          seed,
        })
      : { log: recorded.log, isAttack: () => true };
    const e = expose(detector, mixed.log, {
      model: s.o.model,
      seed,
      keys: variant.keys,
      sameNetwork: variant.sameNetwork,
      isAttack: mixed.isAttack,
    });
    if (e.firstAlarm !== null) firsts.push(e.firstAlarm);
    e.detectors.forEach((d) => detectors.add(d));
    queries.push(recorded.report.queries);
    outcomes.push(recorded.report.agreement ?? (recorded.report.success ? 1 : 0));
  }
  const isExtraction = attack.startsWith('extraction');
  return {
    attack,
    variant: variant.name,
    runs,
    detected: firsts.length,
    medianFirstAlarm: firsts.length ? median(firsts) : null,
    medianQueries: median(queries),
    outcome: isExtraction ? median(outcomes) : outcomes.reduce((a, b) => a + b, 0) / runs,
    detectors: [...detectors].sort(),
  };
}

async function attackTable(s: Setup, detector: Detector<unknown>): Promise<AttackRow[]> {
  const testLabels = (await s.target.query(s.holdout.rows)).labels;
  const originals = s.holdout.rows.filter((_, i) => testLabels[i] === s.holdout.labels[i]);
  const ext = Object.entries(EXTRACTION_ATTACKS).map(
    ([name, fn]) =>
      [
        `extraction.${name}`,
        (t: QueryTarget, ctx: AttackContext) =>
          fn(t, ctx, {
            budget: s.o.extractionBudget,
            testRows: s.holdout.rows,
            testLabels,
            natural: s.train.rows,
          }),
      ] as const,
  );
  const eva = Object.entries(EVASION_ATTACKS).map(
    ([name, fn]) =>
      [
        `evasion.${name}`,
        (t: QueryTarget, ctx: AttackContext, i: number) =>
          fn(t, ctx, {
            original: originals[(i * 37) % originals.length]!,
            budget: s.o.evasionBudget,
            natural: s.train.rows,
          }),
      ] as const,
  );
  const rows: AttackRow[] = [];
  for (const [name, run] of ext)
    rows.push(await attackRow(s, detector, name, { name: 'plain' }, s.o.extractionRuns, run));
  for (const [name, run] of eva)
    rows.push(await attackRow(s, detector, name, { name: 'plain' }, s.o.evasionRuns, run));
  if (s.o.adaptive) {
    for (const variant of VARIANTS) {
      for (const [name, run] of [ext[2]!, ext[3]!, eva[1]!, eva[2]!])
        rows.push(
          await attackRow(
            s,
            detector,
            name,
            variant,
            Math.max(2, Math.floor(s.o.evasionRuns / 2)),
            run,
          ),
        );
    }
  }
  return rows;
}

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
    const s: Setup = { o, target, baseline, min, max, classCount, train, holdout, reference };
    const { options, grids } = await calibrate(baseline, target, {
      model: o.model,
      samples: reference.rows,
      min,
      max,
      principals: o.calibrationPrincipals,
      queries: o.benignQueries,
      seed: o.seed + 1000,
    });
    const calibration = { split: 'reference', principals: o.calibrationPrincipals, grids };
    const detector = createExtractionDetector(baseline, options) as Detector<unknown>;
    const benign = await benignOnHoldout(s, detector);
    const attacks = await attackTable(s, detector);
    return { model: o.model, options, calibration, benign, attacks };
  } finally {
    await target.release();
  }
}
