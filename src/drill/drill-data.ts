import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrillErrorCodes, drillError } from './errors.js';

/** What the drill knows of a model's data: the attacker's pool and the defender's holdout. */
export interface DrillData {
  /** Natural rows the attacker holds (its own data from the same distribution). */
  readonly natural: number[][];
  readonly naturalLabels: number[];
  /** Column names of the CSV files, the label last. */
  readonly columns: string[];
  /** Rows benign principals send and on which the stolen copy is scored. */
  readonly holdout: number[][];
  readonly holdoutLabels: number[];
  readonly featureMin: number[];
  readonly featureMax: number[];
  readonly classCount: number;
}

/** Parses a CSV of numbers whose last column is the label; names the line that is wrong. */
export function parseLabelledCsv(
  text: string,
  source: string,
): { rows: number[][]; labels: number[]; columns: string[] } {
  const all = text.trim().split(/\r?\n/);
  const columns = (all[0] ?? '').split(',').map((c) => c.trim());
  const lines = all.slice(1);
  const rows: number[][] = [];
  const labels: number[] = [];
  lines.forEach((line, i) => {
    const values = line.split(',').map(Number);
    if (values.length < 2 || values.some((v) => !Number.isFinite(v)))
      throw drillError(
        DrillErrorCodes.DRILL_DATA_INVALID,
        `${source} line ${i + 2}: not a row of numbers`,
      );
    labels.push(values.pop()!);
    rows.push(values);
  });
  if (rows.length === 0) throw drillError(DrillErrorCodes.DRILL_DATA_INVALID, `${source}: no rows`);
  return { rows, labels, columns };
}

/** Reads `<dir>/<model>/train.csv` (attacker pool) and `holdout.csv` (benign and scoring). */
export function loadDrillData(dataDir: string, model: string): DrillData {
  const read = (split: string) => {
    const file = join(dataDir, model, `${split}.csv`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw drillError(DrillErrorCodes.DRILL_DATA_INVALID, `cannot read ${file}`);
    }
    return parseLabelledCsv(text, file);
  };
  const train = read('train');
  const holdout = read('holdout');
  const all = [...train.rows, ...holdout.rows];
  const d = all[0]!.length;
  return {
    natural: train.rows,
    naturalLabels: train.labels,
    columns: train.columns,
    holdout: holdout.rows,
    holdoutLabels: holdout.labels,
    featureMin: Array.from({ length: d }, (_, j) => Math.min(...all.map((r) => r[j]!))),
    featureMax: Array.from({ length: d }, (_, j) => Math.max(...all.map((r) => r[j]!))),
    classCount: new Set([...train.labels, ...holdout.labels]).size,
  };
}
