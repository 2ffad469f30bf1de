import type { Detector } from '../../src/detect/detector.js';
import type { ModelBaseline } from '../../src/detect/extraction/index.js';
import type { AttackContext, AttackReport, QueryTarget } from '../../src/drill/attacks/index.js';
import { interleaveBenign, noisyTarget } from './adaptive.js';
import { evasionOutcome, extractionOutcome } from './attack-outcome.js';
import {
  EVASION_ATTACKS,
  EXTRACTION_ATTACKS,
  context,
  expose,
  recordAttack,
} from './attack-runs.js';
import type { Split } from './data.js';

export interface AttackRow {
  readonly attack: string;
  readonly variant: string;
  readonly runs: number;
  readonly detected: number;
  readonly medianFirstAlarm: number | null;
  readonly medianQueries: number;
  /** Extraction: median surrogate agreement; evasion: attack success rate. */
  readonly outcome: number;
  /** Extraction: median agreement of a surrogate trained on what was answered before the first alarm. */
  readonly fidelityAtAlarm?: number;
  /** Extraction: median queries for such a surrogate to reach 80% (null when never within the budget). */
  readonly queriesTo80?: number | null;
  /** Evasion: runs that held an adversarial example (within the distortion budget) before the first alarm. */
  readonly adversarialBeforeAlarm?: number;
  /** Evasion: median smallest distortion of a misclassified query answered before the first alarm. */
  readonly bestDistanceBeforeAlarm?: number | null;
  readonly detectors: string[];
}

export interface AttackSetup {
  readonly model: string;
  readonly seed: number;
  readonly target: QueryTarget;
  readonly baseline: ModelBaseline;
  readonly min: number[];
  readonly max: number[];
  readonly classCount: number;
  readonly train: Split;
  readonly holdout: Split;
  readonly extractionRuns: number;
  readonly evasionRuns: number;
  readonly adaptiveRuns: number;
  readonly extractionBudget: number;
  readonly evasionBudget: number;
  readonly adaptive: boolean;
  /** Which adaptive (variant, attack) pairs to run; default all. */
  readonly only?: (variant: string, attack: string) => boolean;
}

export interface Variant {
  readonly name: string;
  readonly keys?: number;
  readonly sameNetwork?: boolean;
  readonly noise?: number;
  readonly interleave?: number;
  readonly rowsPerRequest?: number;
  readonly keyPrefix?: string;
}

/** Keys of the `trial key` variant, declared at 100 rows a day (as a free-tier key would be). */
export const TRIAL_KEYS = Object.fromEntries(
  Array.from({ length: 12 }, (_, k) => [`trial-${k}`, { expectedRowsPerDay: 100 }]),
);

/** Adaptive variants (issue 21, item 5) and the attacks each is run with. */
export const VARIANTS: readonly { variant: Variant; attacks: readonly string[] }[] = [
  {
    variant: { name: 'noise 2%', noise: 0.02 },
    attacks: [
      'extraction.jacobian',
      'extraction.knockoff',
      'evasion.boundary',
      'evasion.hsj',
      'evasion.nes',
      'evasion.random-search',
    ],
  },
  ...[1, 3].map((n) => ({
    variant: { name: `cover 1:${n} benign`, interleave: n },
    attacks: ['extraction.jacobian', 'extraction.knockoff', 'evasion.hsj', 'evasion.nes'],
  })),
  {
    variant: { name: 'spread 12 keys, one /24', keys: 12, sameNetwork: true },
    attacks: ['extraction.jacobian', 'extraction.knockoff', 'evasion.hsj', 'evasion.nes'],
  },
  {
    variant: { name: 'spread 12 keys, 12 networks', keys: 12, sameNetwork: false },
    attacks: ['extraction.jacobian', 'extraction.knockoff', 'evasion.hsj', 'evasion.nes'],
  },
  {
    variant: { name: '64 rows per request', rowsPerRequest: 64 },
    attacks: [
      'extraction.random',
      'extraction.synthetic',
      'extraction.jacobian',
      'extraction.knockoff',
    ],
  },
  {
    variant: { name: 'trial key (100 rows/day declared)', keyPrefix: 'trial' },
    attacks: ['extraction.synthetic', 'extraction.knockoff'],
  },
  {
    variant: {
      name: 'trial keys, 12 networks, cover 1:3',
      keyPrefix: 'trial',
      keys: 12,
      sameNetwork: false,
      interleave: 3,
    },
    attacks: ['extraction.knockoff'],
  },
];

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

type Run = (t: QueryTarget, ctx: AttackContext, i: number) => Promise<AttackReport>;

interface Plan {
  readonly name: string;
  readonly run: Run;
  /** Evasion: the row pushed across the boundary in run i, and its label. */
  readonly original?: (i: number) => { row: number[]; label: number };
}

async function attackRow<S>(
  s: AttackSetup,
  detector: Detector<S>,
  init: () => S,
  plan: Plan,
  variant: Variant,
  runs: number,
  testLabels: number[],
): Promise<AttackRow> {
  const firsts: number[] = [];
  const queries: number[] = [];
  const outcomes: number[] = [];
  const fidelities: number[] = [];
  const to80: number[] = [];
  const distances: number[] = [];
  let adversarial = 0;
  const detectors = new Set<string>();
  const isExtraction = plan.name.startsWith('extraction');
  for (let i = 0; i < runs; i += 1) {
    const seed = s.seed * 100 + i;
    const noise = variant.noise;
    const recorded = await recordAttack(
      (t) => plan.run(t, context(s.min, s.max, s.classCount, seed), i),
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
      model: s.model,
      seed,
      keys: variant.keys,
      sameNetwork: variant.sameNetwork,
      rowsPerRequest: variant.rowsPerRequest,
      keyPrefix: variant.keyPrefix,
      isAttack: mixed.isAttack,
      init,
    });
    if (e.firstAlarm !== null) firsts.push(e.firstAlarm);
    e.detectors.forEach((d) => detectors.add(d));
    queries.push(recorded.report.queries);
    outcomes.push(recorded.report.agreement ?? (recorded.report.success ? 1 : 0));
    if (isExtraction) {
      const attackIndices = mixed.log.map((_, k) => k).filter(mixed.isAttack);
      const o = extractionOutcome(mixed.log, attackIndices, e.answeredBefore, {
        classCount: s.classCount,
        min: s.min,
        max: s.max,
        testRows: s.holdout.rows,
        testLabels,
        seed,
      });
      fidelities.push(o.fidelityAtAlarm);
      to80.push(o.queriesTo80 ?? Infinity);
    } else if (plan.original) {
      const { row, label } = plan.original(i);
      const o = evasionOutcome(mixed.log, e.answeredBefore, {
        original: row,
        originalLabel: label,
        min: s.min,
        max: s.max,
      });
      if (o.adversarialBeforeAlarm) adversarial += 1;
      if (o.bestDistance !== null) distances.push(o.bestDistance);
    }
  }
  const m80 = median(to80);
  return {
    attack: plan.name,
    variant: variant.name,
    runs,
    detected: firsts.length,
    medianFirstAlarm: firsts.length ? median(firsts) : null,
    medianQueries: median(queries),
    outcome: isExtraction ? median(outcomes) : outcomes.reduce((a, b) => a + b, 0) / runs,
    ...(isExtraction
      ? { fidelityAtAlarm: median(fidelities), queriesTo80: Number.isFinite(m80) ? m80 : null }
      : {
          adversarialBeforeAlarm: adversarial,
          bestDistanceBeforeAlarm: distances.length ? median(distances) : null,
        }),
    detectors: [...detectors].sort(),
  };
}

/** Every attack plain, then (with `adaptive`) every adaptive variant, through fresh states from `init`. */
export async function attackTable<S>(
  s: AttackSetup,
  detector: Detector<S>,
  init: () => S,
): Promise<AttackRow[]> {
  const testLabels = (await s.target.query(s.holdout.rows)).labels;
  const correct = s.holdout.rows
    .map((row, k) => ({ row, label: testLabels[k]! }))
    .filter((_, k) => testLabels[k] === s.holdout.labels[k]);
  const original = (i: number) => correct[(i * 37) % correct.length]!;
  const plans: Plan[] = [
    ...Object.entries(EXTRACTION_ATTACKS).map(([name, fn]) => ({
      name: `extraction.${name}`,
      run: (t: QueryTarget, ctx: AttackContext) =>
        fn(t, ctx, {
          budget: s.extractionBudget,
          testRows: s.holdout.rows,
          testLabels,
          natural: s.train.rows,
        }),
    })),
    ...Object.entries(EVASION_ATTACKS).map(([name, fn]) => ({
      name: `evasion.${name}`,
      original,
      run: (t: QueryTarget, ctx: AttackContext, i: number) =>
        fn(t, ctx, { original: original(i).row, budget: s.evasionBudget, natural: s.train.rows }),
    })),
  ];
  const rows: AttackRow[] = [];
  for (const plan of plans) {
    const runs = plan.name.startsWith('extraction') ? s.extractionRuns : s.evasionRuns;
    rows.push(await attackRow(s, detector, init, plan, { name: 'plain' }, runs, testLabels));
  }
  if (!s.adaptive) return rows;
  for (const { variant, attacks } of VARIANTS) {
    for (const name of attacks) {
      if (s.only && !s.only(variant.name, name)) continue;
      const plan = plans.find((p) => p.name === name)!;
      rows.push(await attackRow(s, detector, init, plan, variant, s.adaptiveRuns, testLabels));
    }
  }
  return rows;
}
