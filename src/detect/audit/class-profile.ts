// Robust statistics of each class in the trusted rows: per feature the median and a robust
// scale (1.4826·MAD, or 1.2533 × the mean absolute deviation from the median when more than
// half the values are equal, as with mostly blank pixels), in the baseline's standardised units.
// They tell which features make a row unlike the class it is labelled with.
import type { FeatureMatrix, Standardiser } from './feature-matrix.js';

export interface ClassStats {
  rows: number;
  median: Float64Array;
  scale: Float64Array;
}

/** A feature that sets a row apart from a class, in the table's own units. */
export interface FeatureDeviation {
  feature: string;
  value: number;
  classMedian: number;
  robustZ: number; // (value - median) / robust scale, both of the class's trusted rows
}

const MAX_ROWS_PER_CLASS = 2000; // evenly thinned beyond this

function medianOf(v: Float64Array): number {
  const n = v.length;
  if (n === 0) return 0;
  return n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/** Per label of the trusted rows, the median and robust scale of every feature. */
export function classProfiles(base: FeatureMatrix): Map<string, ClassStats> {
  const rowsOf = new Map<string, number[]>();
  base.labels.forEach((l, r) => {
    if (l === null) return;
    const list = rowsOf.get(l);
    if (list) list.push(r);
    else rowsOf.set(l, [r]);
  });
  const out = new Map<string, ClassStats>();
  for (const [label, all] of rowsOf) {
    const step = Math.max(1, all.length / MAX_ROWS_PER_CLASS);
    const rows = Array.from(
      { length: Math.min(all.length, MAX_ROWS_PER_CLASS) },
      (_, i) => all[Math.floor(i * step)]!,
    );
    const median = new Float64Array(base.dims);
    const scale = new Float64Array(base.dims);
    const buf = new Float64Array(rows.length);
    for (let f = 0; f < base.dims; f++) {
      let n = 0;
      for (const r of rows) {
        const v = base.values[r * base.dims + f]!;
        if (!Number.isNaN(v)) buf[n++] = v;
      }
      const sorted = buf.subarray(0, n).sort();
      const m = medianOf(sorted);
      const dev = Float64Array.from(sorted, (v) => Math.abs(v - m)).sort();
      const meanAbs = dev.reduce((a, b) => a + b, 0) / Math.max(1, n);
      median[f] = m;
      // A floor of 0.05 baseline deviations keeps a constant feature's z finite.
      scale[f] = Math.max(1.4826 * medianOf(dev), 1.2533 * meanAbs, 0.05);
    }
    out.set(label, { rows: all.length, median, scale });
  }
  return out;
}

export const robustZ = (s: ClassStats, f: number, v: number): number =>
  (v - s.median[f]!) / s.scale[f]!;

/** The `top` features on which row r lies furthest from class `label` (|z| ≥ minZ). */
export function deviations(
  m: FeatureMatrix,
  r: number,
  stats: ClassStats | undefined,
  st: Standardiser,
  top = 3,
  minZ = 3,
): FeatureDeviation[] {
  if (!stats) return [];
  const raw = (f: number, z: number) => Number((z * st.scale[f]! + st.mean[f]!).toPrecision(6));
  const out: FeatureDeviation[] = [];
  for (let f = 0; f < m.dims; f++) {
    const v = m.values[r * m.dims + f]!;
    if (Number.isNaN(v)) continue;
    const z = robustZ(stats, f, v);
    if (Math.abs(z) >= minZ)
      out.push({
        feature: st.features[f]!,
        value: raw(f, v),
        classMedian: raw(f, stats.median[f]!),
        robustZ: Number(z.toFixed(1)),
      });
  }
  return out.sort((a, b) => Math.abs(b.robustZ) - Math.abs(a.robustZ)).slice(0, top);
}
