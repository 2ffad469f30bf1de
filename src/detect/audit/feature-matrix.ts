// The numeric view of a table the audit works on: shared feature columns as a row-major
// Float64Array standardised by the baseline's mean and deviation, plus labels and row ids.
import type { Cell, DataTable } from '../baseline/read-table.js';
import { columnIndex } from '../baseline/read-table.js';

export interface FeatureMatrix {
  rows: number;
  dims: number;
  values: Float64Array; // standardised, row-major; NaN where the cell was not a finite number
  labels: (string | null)[]; // label as text, null when missing
  ids: string[]; // the id column, or the 1-based data row number
}

export interface Standardiser {
  features: string[];
  mean: Float64Array;
  scale: Float64Array; // the deviation, or 1 for a constant column
}

/** Numeric feature columns of the baseline that the candidate also has. */
export function sharedNumericFeatures(
  baseline: DataTable,
  candidate: DataTable,
  exclude: Set<string>,
): string[] {
  return baseline.columns.filter((name, c) => {
    if (exclude.has(name) || !candidate.columns.includes(name)) return false;
    const col = baseline.data[c]!;
    let numbers = 0;
    for (const v of col) if (typeof v === 'number') numbers++;
    return numbers > 0 && numbers >= col.length / 2;
  });
}

export function fitStandardiser(table: DataTable, features: string[]): Standardiser {
  const mean = new Float64Array(features.length);
  const scale = new Float64Array(features.length);
  features.forEach((name, f) => {
    const col = table.data[columnIndex(table, name)]!;
    let n = 0;
    let s = 0;
    for (const v of col) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      n++;
      s += v;
    }
    const m = n ? s / n : 0;
    let ss = 0;
    for (const v of col) if (typeof v === 'number' && Number.isFinite(v)) ss += (v - m) ** 2;
    const sd = n ? Math.sqrt(ss / n) : 0;
    mean[f] = m;
    scale[f] = sd > 0 ? sd : 1;
  });
  return { features, mean, scale };
}

const labelText = (v: Cell | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

export function toMatrix(
  table: DataTable,
  st: Standardiser,
  labelColumn?: string,
  idColumn?: string,
): FeatureMatrix {
  const dims = st.features.length;
  const rows = table.rowCount;
  const values = new Float64Array(rows * dims);
  st.features.forEach((name, f) => {
    const col = table.data[columnIndex(table, name)]!;
    const m = st.mean[f]!;
    const s = st.scale[f]!;
    for (let r = 0; r < rows; r++) {
      const v = col[r];
      values[r * dims + f] = typeof v === 'number' && Number.isFinite(v) ? (v - m) / s : NaN;
    }
  });
  const labelCol = labelColumn ? table.data[columnIndex(table, labelColumn)]! : null;
  const idCol = idColumn ? table.data[columnIndex(table, idColumn)]! : null;
  return {
    rows,
    dims,
    values,
    labels: Array.from({ length: rows }, (_, r) => (labelCol ? labelText(labelCol[r]) : null)),
    ids: Array.from({ length: rows }, (_, r) =>
      idCol ? String(idCol[r] ?? r + 1) : String(r + 1),
    ),
  };
}
