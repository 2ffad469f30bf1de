import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createRng, shuffleInPlace } from './rng.js';

/** One labelled row. `tokens` keeps the source text of each feature so splits copy it verbatim. */
export interface Row {
  tokens: string[];
  features: number[];
  label: number;
}

export interface Dataset {
  id: string;
  featureNames: string[];
  classes: string[];
  rows: Row[];
}

export interface Splits {
  train: Row[];
  reference: Row[];
  holdout: Row[];
}

/** The seed of the committed splits; changing it rewrites data/<id>/{train,reference,holdout}.csv. */
export const SPLIT_SEED = 20_240_601;

export const SPLIT_NAMES = ['train', 'reference', 'holdout'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

const BREAST_CANCER_MEASURES = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave_points',
  'symmetry',
  'fractal_dimension',
];

/** Feature names in the column order of the sklearn copy (mean, standard error, worst). */
export const BREAST_CANCER_FEATURES = [
  ...BREAST_CANCER_MEASURES.map((m) => `mean_${m}`),
  ...BREAST_CANCER_MEASURES.map((m) => `${m}_error`),
  ...BREAST_CANCER_MEASURES.map((m) => `worst_${m}`),
];

/** Pixel names, row-major over the 8x8 grid. */
export const DIGITS_FEATURES = Array.from(
  { length: 64 },
  (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`,
);

function parseRows(text: string, featureCount: number, where: string): Row[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, i) => {
    const tokens = line.trim().split(',');
    if (tokens.length !== featureCount + 1) {
      throw new Error(`${where} line ${i + 1}: ${tokens.length} columns, want ${featureCount + 1}`);
    }
    const numbers = tokens.map((t) => Number(t));
    if (numbers.some((n) => !Number.isFinite(n))) {
      throw new Error(`${where} line ${i + 1}: a value is not a finite number`);
    }
    return {
      tokens: tokens.slice(0, featureCount),
      features: numbers.slice(0, featureCount),
      label: numbers[featureCount] as number,
    };
  });
}

/** The sklearn copy: a first line `569,30,malignant,benign`, then 30 features and the class. */
export function readBreastCancer(path: string): Dataset {
  const text = readFileSync(path, 'utf8');
  const newline = text.indexOf('\n');
  const rows = parseRows(text.slice(newline + 1), 30, path);
  return {
    id: 'breast-cancer',
    featureNames: BREAST_CANCER_FEATURES,
    classes: ['malignant', 'benign'],
    rows,
  };
}

/** The sklearn copy: gzip CSV without header, 64 pixel counts then the digit. */
export function readDigits(path: string): Dataset {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return {
    id: 'digits',
    featureNames: DIGITS_FEATURES,
    classes: Array.from({ length: 10 }, (_, d) => String(d)),
    rows: parseRows(text, 64, path),
  };
}

/**
 * Stratified 60/20/20 split: each class is shuffled with the seeded generator and cut in the
 * same proportions, so every split keeps the source's class balance. Rows keep source order
 * within each split so the files diff cleanly.
 */
export function stratifiedSplit(dataset: Dataset, seed: number): Splits {
  const rng = createRng(seed);
  const assigned: SplitName[] = new Array<SplitName>(dataset.rows.length);
  for (let c = 0; c < dataset.classes.length; c += 1) {
    const members = dataset.rows.flatMap((row, i) => (row.label === c ? [i] : []));
    shuffleInPlace(members, rng);
    const nTrain = Math.round(members.length * 0.6);
    const nReference = Math.round(members.length * 0.2);
    members.forEach((rowIndex, k) => {
      assigned[rowIndex] = k < nTrain ? 'train' : k < nTrain + nReference ? 'reference' : 'holdout';
    });
  }
  const splits: Splits = { train: [], reference: [], holdout: [] };
  dataset.rows.forEach((row, i) => splits[assigned[i] as SplitName].push(row));
  return splits;
}

/** CSV text: a header of feature names then `label`, one row per line, LF endings. */
export function toCsv(featureNames: string[], rows: Row[]): string {
  const lines = [[...featureNames, 'label'].join(',')];
  for (const row of rows) lines.push([...row.tokens, String(row.label)].join(','));
  return `${lines.join('\n')}\n`;
}

/** Reads a split written by `toCsv` back into rows. */
export function parseSplitCsv(
  text: string,
  where: string,
): { featureNames: string[]; rows: Row[] } {
  const newline = text.indexOf('\n');
  const header = text.slice(0, newline).split(',');
  if (header[header.length - 1] !== 'label') throw new Error(`${where}: last column is not label`);
  const featureNames = header.slice(0, -1);
  return { featureNames, rows: parseRows(text.slice(newline + 1), featureNames.length, where) };
}
