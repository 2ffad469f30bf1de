import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A demo split: feature rows and labels (`label` is the last CSV column). */
export interface Split {
  readonly rows: number[][];
  readonly labels: number[];
}

export function readSplit(
  root: string,
  model: string,
  split: 'train' | 'reference' | 'holdout',
): Split {
  const text = readFileSync(join(root, 'data', model, `${split}.csv`), 'utf8').trim();
  const lines = text.split('\n').slice(1);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const line of lines) {
    const cells = line.split(',').map(Number);
    labels.push(cells.pop()!);
    rows.push(cells);
  }
  return { rows, labels };
}

/** Per-feature min and max over the given rows: the "published schema" an attacker knows. */
export function featureRanges(rows: readonly (readonly number[])[]): {
  min: number[];
  max: number[];
} {
  const d = rows[0]!.length;
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (const r of rows) {
    r.forEach((v, j) => {
      min[j] = Math.min(min[j]!, v);
      max[j] = Math.max(max[j]!, v);
    });
  }
  return { min, max };
}
