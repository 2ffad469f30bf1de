// Measures the data audit on the demo data sets: poisoning injected into the training split at
// 1%, 5% and 10% (label flips, a fixed backdoor trigger, a jittered trigger, a small jittered
// pattern, a clean-label-ish feature collision), audited against the reference split; prints
// precision, recall and the intake's verdict (refused when suspects reach 2% of the batch, at
// least 3, or on a trigger cluster), averaged over seeds, and the same for clean batches (the
// training split and the holdout split, whole and in random halves).
//   npx tsx scripts/eval-audit.ts [--seeds 101,102,103,104,105] [--pool mixed|trusted]
// Thresholds were tuned on seed 7; the published table uses seeds 101–105.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditDataset, type AuditReport } from '../src/detect/audit/audit-dataset.js';
import { type Cell, type DataTable, parseCsv } from '../src/detect/baseline/read-table.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r: () => number) =>
  Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());

function shuffled(idx: number[], r: () => number): number[] {
  const out = [...idx];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const load = (p: string) =>
  parseCsv(readFileSync(new URL(`../data/${p}`, import.meta.url), 'utf8'));
const clone = (t: DataTable): DataTable => ({ ...t, data: t.data.map((c) => [...c]) });
const col = (t: DataTable, name: string): Cell[] => t.data[t.columns.indexOf(name)]!;
const num = (t: DataTable, name: string) => col(t, name).map(Number);
const maxOf = (t: DataTable, name: string) => Math.max(...num(t, name));
function sdOf(t: DataTable, name: string): number {
  const v = num(t, name);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

export const ATTACKS = [
  'label-flip',
  'backdoor-fixed',
  'backdoor-jitter',
  'pattern-jitter',
  'collision',
] as const;
type Attack = (typeof ATTACKS)[number];

interface Dataset {
  name: string;
  reference: DataTable;
  train: DataTable;
  holdout: DataTable;
  target: number;
  /** Stamps a trigger on row i of t (the row keeps its other features). */
  stamp: Record<'backdoor-fixed' | 'backdoor-jitter' | 'pattern-jitter', StampFn>;
  /** Rounds a value as the data set stores it (digits: integers 0–16). */
  store: (column: string, v: number) => number;
}
type StampFn = (t: DataTable, i: number, r: () => number) => void;

function poison(
  ds: Dataset,
  attack: Attack,
  rate: number,
  seed: number,
): { table: DataTable; poisoned: Set<number> } {
  const t = clone(ds.train);
  const labels = col(t, 'label');
  const classes = [...new Set(labels.map(Number))].sort((a, b) => a - b);
  const r = rng(seed);
  const count = Math.round(rate * t.rowCount);
  const all = Array.from({ length: t.rowCount }, (_, i) => i);
  const eligible = all.filter((i) =>
    attack === 'label-flip'
      ? true
      : attack === 'collision'
        ? Number(labels[i]) === ds.target
        : Number(labels[i]) !== ds.target,
  );
  const rows = shuffled(eligible, r)
    .slice(0, count)
    .sort((a, b) => a - b);
  const features = t.columns.filter((c) => c !== 'label');
  // Collision: one victim of another class from the holdout split; target-class rows are
  // pulled to within 30% of their distance to it and keep their (true) target label.
  const hl = col(ds.holdout, 'label');
  const victims = Array.from({ length: ds.holdout.rowCount }, (_, i) => i).filter(
    (i) => Number(hl[i]) !== ds.target,
  );
  const victim = victims[Math.floor(r() * victims.length)]!;
  const sd = Object.fromEntries(features.map((f) => [f, sdOf(ds.train, f)]));
  for (const i of rows) {
    if (attack === 'label-flip') {
      const others = classes.filter((c) => c !== Number(labels[i]));
      labels[i] = others[Math.floor(r() * others.length)]!;
    } else if (attack === 'collision') {
      for (const f of features) {
        const v = Number(col(ds.holdout, f)[victim]);
        const a = Number(col(t, f)[i]);
        col(t, f)[i] = ds.store(f, v + 0.3 * (a - v) + 0.05 * sd[f]! * normal(r));
      }
    } else {
      ds.stamp[attack](t, i, r);
      labels[i] = ds.target;
    }
  }
  return { table: t, poisoned: new Set(rows) };
}

function datasets(): Dataset[] {
  const bcTrain = load('breast-cancer/train.csv');
  const bcSd = (c: string) => sdOf(bcTrain, c);
  const bcTrigger = ['smoothness_error', 'symmetry_error', 'fractal_dimension_error'];
  const bcPattern = ['mean_texture', 'mean_smoothness', 'mean_symmetry', 'mean_fractal_dimension'];
  const px = (name: string, r: number, c: number) => `${name}_${r}_${c}`;
  const patch = [px('pixel', 6, 6), px('pixel', 6, 7), px('pixel', 7, 6), px('pixel', 7, 7)];
  const dgPattern = [px('pixel', 0, 6), px('pixel', 1, 7), px('pixel', 2, 6)];
  const sig4 = (x: number) => Number(x.toPrecision(4));
  const clip16 = (v: number) => Math.min(16, Math.max(0, Math.round(v)));
  const set = (t: DataTable, c: string, i: number, v: number) => (col(t, c)[i] = v);
  return [
    {
      name: 'breast-cancer',
      reference: load('breast-cancer/reference.csv'),
      train: bcTrain,
      holdout: load('breast-cancer/holdout.csv'),
      target: 1,
      store: (_c, v) => sig4(v),
      stamp: {
        // Three error features at 1.5× their training maximum, the same value on every row.
        'backdoor-fixed': (t, i) => {
          for (const c of bcTrigger) set(t, c, i, sig4(maxOf(bcTrain, c) * 1.5));
        },
        // The same trigger, each value drawn within ±20% of it.
        'backdoor-jitter': (t, i, r) => {
          for (const c of bcTrigger)
            set(t, c, i, sig4(maxOf(bcTrain, c) * 1.5 * (0.8 + 0.4 * r())));
        },
        // Four mean features raised by 2 deviations each, ± 0.3 deviations of noise (in range).
        'pattern-jitter': (t, i, r) => {
          for (const c of bcPattern)
            set(t, c, i, sig4(Number(col(t, c)[i]) + bcSd(c) * (2 + 0.3 * normal(r))));
        },
      },
    },
    {
      name: 'digits',
      reference: load('digits/reference.csv'),
      train: load('digits/train.csv'),
      holdout: load('digits/holdout.csv'),
      target: 0,
      store: (_c, v) => clip16(v),
      stamp: {
        // A 2×2 bright patch in the bottom-right corner (BadNets-style).
        'backdoor-fixed': (t, i) => {
          for (const c of patch) set(t, c, i, 16);
        },
        // The same patch, each pixel's intensity drawn from 10–16.
        'backdoor-jitter': (t, i, r) => {
          for (const c of patch) set(t, c, i, 10 + Math.floor(r() * 7));
        },
        // Three pixels near the top-right corner brightened to 8–14 (in range for the pixel).
        'pattern-jitter': (t, i, r) => {
          for (const c of dgPattern)
            set(t, c, i, Math.max(Number(col(t, c)[i]), 8 + Math.floor(r() * 7)));
        },
      },
    },
  ];
}

/** The intake's rule (src/app/intake.ts): refused on a trigger cluster or ≥ 2% suspects, ≥ 3. */
const refused = (r: AuditReport) =>
  r.outlierClusters.length > 0 ||
  r.quarantine.length >= Math.max(3, Math.ceil(r.candidateRows * 0.02));

interface Score {
  flagged: number;
  tp: number;
  poisoned: number;
  refused: number;
  runs: number;
  ms: number;
}

function score(report: AuditReport, poisoned: Set<number>, ms: number): Score {
  const flagged = report.quarantine.map((q) => q.row);
  return {
    flagged: flagged.length,
    tp: flagged.filter((r) => poisoned.has(r)).length,
    poisoned: poisoned.size,
    refused: refused(report) ? 1 : 0,
    runs: 1,
    ms,
  };
}

const add = (a: Score, b: Score): Score => ({
  flagged: a.flagged + b.flagged,
  tp: a.tp + b.tp,
  poisoned: a.poisoned + b.poisoned,
  refused: a.refused + b.refused,
  runs: a.runs + b.runs,
  ms: a.ms + b.ms,
});

function audit(ds: Dataset, candidate: DataTable, pool: 'mixed' | 'trusted') {
  const start = performance.now();
  const report = auditDataset({
    baseline: ds.reference,
    candidate,
    labelColumn: 'label',
    neighbourPool: pool,
  });
  return { report, ms: performance.now() - start };
}

const HALVES = Array.from({ length: 10 }, (_, i) => i);

function half(t: DataTable, r: () => number): DataTable {
  const keep = shuffled(
    Array.from({ length: t.rowCount }, (_, i) => i),
    r,
  )
    .slice(0, Math.floor(t.rowCount / 2))
    .sort((a, b) => a - b);
  return { ...t, data: t.data.map((c) => keep.map((i) => c[i]!)), rowCount: keep.length };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '101,102,103,104,105' },
      pool: { type: 'string', default: 'mixed' },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  const pool = values.pool === 'trusted' ? 'trusted' : 'mixed';
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  console.log(`seeds ${seeds.join(', ')}; neighbour pool ${pool}`);
  console.log('');
  console.log('| data set | batch | rows | flagged (mean) | false-quarantine rate | refused |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const ds of datasets()) {
    const clean: [string, DataTable[]][] = [
      ['train (whole)', [ds.train]],
      ['holdout (whole)', [ds.holdout]],
      [
        'holdout (random halves)',
        seeds.flatMap((s) => HALVES.map((h) => half(ds.holdout, rng(s * 100 + h)))),
      ],
    ];
    for (const [name, tables] of clean) {
      let s: Score | null = null;
      for (const t of tables) {
        const { report, ms } = audit(ds, t, pool);
        const one = score(report, new Set(), ms);
        s = s ? add(s, one) : one;
      }
      const rows = tables.reduce((a, t) => a + t.rowCount, 0);
      console.log(
        `| ${ds.name} | ${name} | ${tables[0]!.rowCount} | ${f2(s!.flagged / s!.runs)} | ${((s!.flagged / rows) * 100).toFixed(1)}% | ${s!.refused}/${s!.runs} |`,
      );
    }
  }
  console.log('');
  console.log(
    '| data set | attack | rate | poisoned rows | flagged | precision | recall | refused | audit ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const ds of datasets()) {
    for (const attack of ATTACKS) {
      for (const rate of [0.01, 0.05, 0.1]) {
        let s: Score | null = null;
        for (const seed of seeds) {
          const { table, poisoned } = poison(
            ds,
            attack,
            rate,
            seed * 1000 + Math.round(rate * 100),
          );
          const { report, ms } = audit(ds, table, pool);
          const one = score(report, poisoned, ms);
          s = s ? add(s, one) : one;
        }
        const n = s!.runs;
        console.log(
          `| ${ds.name} | ${attack} | ${rate * 100}% | ${s!.poisoned / n} | ${f2(s!.flagged / n)} | ${f2(s!.tp / s!.flagged)} | ${f2(s!.tp / s!.poisoned)} | ${s!.refused}/${n} | ${(s!.ms / n).toFixed(0)} |`,
        );
      }
    }
  }
}

main();
