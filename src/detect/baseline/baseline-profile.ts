// A baseline profile: what a model's reference data looked like, per feature, in a JSON-safe
// form that the streaming drift detector, the `aisoc drift` command and the data audit share.
import type { Cell, DataTable } from './read-table.js';
import { columnIndex } from './read-table.js';
import { quantileEdges, histogram, quantileSorted } from '../stats/index.js';

export const FEATURE_TYPES = ['numeric', 'categorical', 'empty'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const PROFILE_QUANTILES = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1] as const;

export interface NumericSummary {
  min: number;
  max: number;
  mean: number;
  std: number; // population standard deviation
  quantiles: number[]; // at PROFILE_QUANTILES
  edges: number[]; // interior bin edges at the reference quantiles (PSI, JS)
  counts: number[]; // reference counts per bin (edges.length + 1)
  sample: number[]; // sorted reference values (all, or evenly spaced order statistics)
  constant: boolean;
}

export interface FeatureProfile {
  name: string;
  type: FeatureType;
  count: number; // rows
  missing: number; // null, empty, NA, NaN
  infinite: number; // ±Infinity (kept out of the numeric summary)
  mixed: number; // strings in a numeric column, read as missing
  numeric?: NumericSummary;
  categories?: Record<string, number>; // value → count (categorical only)
}

export interface BaselineProfile {
  version: 1;
  name: string;
  rowCount: number;
  bins: number;
  features: FeatureProfile[];
  prediction?: FeatureProfile;
  confidence?: FeatureProfile;
  warnings: string[];
}

export interface ProfileOptions {
  name?: string;
  bins?: number; // quantile bins for PSI/JS, default 10
  sampleSize?: number; // reference values kept for KS and Wasserstein, default 5000
  exclude?: string[]; // columns not profiled as features (e.g. the label, an id)
  predictionColumn?: string;
  confidenceColumn?: string;
  maxCategories?: number; // distinct values kept; the rest pool into "__other__" (default 1000)
}

/** Evenly spaced order statistics of a sorted array, keeping both ends. */
export function thinSorted(sorted: ArrayLike<number>, size: number): number[] {
  if (sorted.length <= size) return Array.from(sorted);
  if (size === 1) return [sorted[Math.floor((sorted.length - 1) / 2)]!];
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++)
    out[i] = sorted[Math.round((i * (sorted.length - 1)) / (size - 1))]!;
  return out;
}

/** Summary of a column of finite numbers (given sorted). */
export function summariseNumeric(
  sorted: Float64Array,
  bins: number,
  sampleSize: number,
): NumericSummary {
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  const mean = sum / sorted.length;
  let ss = 0;
  for (let i = 0; i < sorted.length; i++) ss += (sorted[i]! - mean) ** 2;
  const edges = quantileEdges(sorted, bins);
  return {
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean,
    std: Math.sqrt(ss / sorted.length),
    quantiles: PROFILE_QUANTILES.map((q) => quantileSorted(sorted, q)),
    edges,
    counts: Array.from(histogram(edges, sorted)),
    sample: thinSorted(sorted, sampleSize),
    constant: sorted[0] === sorted[sorted.length - 1],
  };
}

/**
 * Profiles one column. A column is numeric when at least one value is a number and numbers
 * outnumber strings; its strings then count as `mixed` and are read as missing. Otherwise it
 * is categorical (numbers become their decimal text). A column with no values is `empty`.
 */
export function profileColumn(
  name: string,
  cells: readonly Cell[],
  options: ProfileOptions = {},
): FeatureProfile {
  const bins = options.bins ?? 10;
  let missing = 0;
  let infinite = 0;
  let strings = 0;
  const finite: number[] = [];
  for (const v of cells) {
    if (v === null) missing++;
    else if (typeof v === 'string') strings++;
    else if (Number.isFinite(v)) finite.push(v);
    else if (Number.isNaN(v)) missing++;
    else infinite++;
  }
  const numbers = finite.length + infinite;
  const base = { name, count: cells.length, missing, infinite: 0, mixed: 0 };
  if (numbers > 0 && numbers >= strings) {
    const profile: FeatureProfile = { ...base, type: 'numeric', infinite, mixed: strings };
    if (finite.length > 0) {
      const sorted = Float64Array.from(finite).sort();
      profile.numeric = summariseNumeric(sorted, bins, options.sampleSize ?? 5000);
    }
    return profile;
  }
  if (strings === 0) return { ...base, type: 'empty', missing: missing + infinite };
  return {
    ...base,
    type: 'categorical',
    categories: countCategories(cells, options.maxCategories ?? 1000),
  };
}

/** Counts of each non-missing value as text, the rarest pooled into "__other__" past `max`. */
export function countCategories(cells: readonly Cell[], max: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (const v of cells) {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: Record<string, number> = {};
  let other = 0;
  sorted.forEach(([k, c], i) => {
    if (i < max) out[k] = c;
    else other += c;
  });
  if (other > 0) out.__other__ = (out.__other__ ?? 0) + other;
  return out;
}

/** Builds the baseline profile of a reference table. */
export function buildBaseline(table: DataTable, options: ProfileOptions = {}): BaselineProfile {
  const special = new Set([
    ...(options.exclude ?? []),
    options.predictionColumn,
    options.confidenceColumn,
  ]);
  const warnings: string[] = [];
  const features: FeatureProfile[] = [];
  table.columns.forEach((name, c) => {
    if (special.has(name)) return;
    const p = profileColumn(name, table.data[c]!, options);
    if (p.type === 'empty') warnings.push(`column "${name}" has no values; it is not compared`);
    if (p.mixed > 0)
      warnings.push(
        `column "${name}" is numeric with ${p.mixed} non-numeric values read as missing`,
      );
    if (p.numeric?.constant)
      warnings.push(`column "${name}" is constant (${p.numeric.min}) in the baseline`);
    features.push(p);
  });
  const profile: BaselineProfile = {
    version: 1,
    name: options.name ?? 'baseline',
    rowCount: table.rowCount,
    bins: options.bins ?? 10,
    features,
    warnings,
  };
  if (options.predictionColumn) {
    const c = columnIndex(table, options.predictionColumn);
    profile.prediction = profileColumn(options.predictionColumn, table.data[c]!, options);
  }
  if (options.confidenceColumn) {
    const c = columnIndex(table, options.confidenceColumn);
    profile.confidence = profileColumn(options.confidenceColumn, table.data[c]!, options);
  }
  return profile;
}
