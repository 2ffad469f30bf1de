// Measures the data audit on the demo data sets: label-flip and backdoor poisoning injected
// into the training split at 0%, 1%, 5% and 10%, audited against the reference split;
// prints precision and recall of the quarantined rows as a Markdown table.
//   npx tsx scripts/eval-audit.ts
import { readFileSync } from 'node:fs';
import { auditDataset } from '../src/detect/audit/audit-dataset.js';
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

function pick(
  n: number,
  count: number,
  r: () => number,
  allowed: (i: number) => boolean,
): number[] {
  const idx = Array.from({ length: n }, (_, i) => i).filter(allowed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, count).sort((a, b) => a - b);
}

interface Dataset {
  name: string;
  reference: DataTable;
  train: DataTable;
  trigger: { columns: string[]; value: (c: string) => number; target: number };
}

const load = (p: string) =>
  parseCsv(readFileSync(new URL(`../data/${p}`, import.meta.url), 'utf8'));
const clone = (t: DataTable): DataTable => ({ ...t, data: t.data.map((c) => [...c]) });
const col = (t: DataTable, name: string): Cell[] => t.data[t.columns.indexOf(name)]!;
const maxOf = (t: DataTable, name: string) => Math.max(...col(t, name).map(Number));

function poison(
  ds: Dataset,
  attack: 'label-flip' | 'backdoor',
  rate: number,
  seed: number,
): { table: DataTable; poisoned: Set<number> } {
  const t = clone(ds.train);
  const labels = col(t, 'label');
  const classes = [...new Set(labels.map(Number))].sort((a, b) => a - b);
  const r = rng(seed);
  const count = Math.round(rate * t.rowCount);
  const rows =
    attack === 'label-flip'
      ? pick(t.rowCount, count, r, () => true)
      : pick(t.rowCount, count, r, (i) => Number(labels[i]) !== ds.trigger.target);
  for (const i of rows) {
    if (attack === 'label-flip') {
      const others = classes.filter((c) => c !== Number(labels[i]));
      labels[i] = others[Math.floor(r() * others.length)]!;
    } else {
      for (const c of ds.trigger.columns) col(t, c)[i] = ds.trigger.value(c);
      labels[i] = ds.trigger.target;
    }
  }
  return { table: t, poisoned: new Set(rows) };
}

function main(): void {
  const bcTrain = load('breast-cancer/train.csv');
  const dgTrain = load('digits/train.csv');
  const datasets: Dataset[] = [
    {
      name: 'breast-cancer',
      reference: load('breast-cancer/reference.csv'),
      train: bcTrain,
      // Three error features pushed to 1.5× their training maximum, target benign (1).
      trigger: {
        columns: ['smoothness_error', 'symmetry_error', 'fractal_dimension_error'],
        value: (c) => Number((maxOf(bcTrain, c) * 1.5).toPrecision(4)),
        target: 1,
      },
    },
    {
      name: 'digits',
      reference: load('digits/reference.csv'),
      train: dgTrain,
      // A 2×2 bright patch in the bottom-right corner, target digit 0 (BadNets-style).
      trigger: {
        columns: ['pixel_6_6', 'pixel_6_7', 'pixel_7_6', 'pixel_7_7'],
        value: () => 16,
        target: 0,
      },
    },
  ];
  console.log(
    '| data set | attack | rate | poisoned rows | neighbours | flagged | precision | recall | audit ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const ds of datasets) {
    for (const attack of ['label-flip', 'backdoor'] as const) {
      for (const rate of [0, 0.01, 0.05, 0.1]) {
        if (rate === 0 && attack === 'backdoor') continue;
        const { table, poisoned } = poison(ds, attack, rate, 7 + Math.round(rate * 1000));
        for (const pool of ['mixed', 'trusted'] as const) {
          const start = performance.now();
          const report = auditDataset({
            baseline: ds.reference,
            candidate: table,
            labelColumn: 'label',
            neighbourPool: pool,
          });
          const ms = performance.now() - start;
          const flagged = report.quarantine.map((q) => q.row);
          const tp = flagged.filter((r) => poisoned.has(r)).length;
          const precision = flagged.length ? tp / flagged.length : NaN;
          const recall = poisoned.size ? tp / poisoned.size : NaN;
          const f = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
          console.log(
            `| ${ds.name} | ${rate === 0 ? 'none' : attack} | ${rate * 100}% | ${poisoned.size} | ${pool} | ${flagged.length} | ${f(precision)} | ${f(recall)} | ${ms.toFixed(0)} |`,
          );
        }
      }
    }
  }
}

main();
