/**
 * Builds the demo data splits and models from the bundled UCI data sets.
 * Run from the repository root: `npx tsx scripts/train-demo-models.ts`.
 * Every step is seeded, so a re-run rewrites identical bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Dataset,
  SPLIT_NAMES,
  SPLIT_SEED,
  readBreastCancer,
  readDigits,
  stratifiedSplit,
  toCsv,
} from './demo-models/dataset.js';

function writeSplits(root: string, dataset: Dataset): void {
  const dir = join(root, 'data', dataset.id);
  mkdirSync(dir, { recursive: true });
  const splits = stratifiedSplit(dataset, SPLIT_SEED);
  for (const name of SPLIT_NAMES) {
    writeFileSync(join(dir, `${name}.csv`), toCsv(dataset.featureNames, splits[name]));
    console.log(`data/${dataset.id}/${name}.csv: ${splits[name].length} rows`);
  }
}

function main(): void {
  const root = process.cwd();
  const datasets = [
    readBreastCancer(join(root, 'data/breast-cancer/source.csv')),
    readDigits(join(root, 'data/digits/source.csv.gz')),
  ];
  for (const dataset of datasets) writeSplits(root, dataset);
}

main();
