// Outliers and outlier clusters. A value is out of range when it lies beyond the baseline's
// [q0.5%, q99.5%] widened by `widen` times the inter-quartile range (Tukey's fences, 1977,
// on extreme quantiles). Rows sharing the same out-of-range features *and values* (to three
// significant digits) form a cluster;
// a large cluster concentrated on one label is what a backdoor trigger looks like (Gu et al.
// 2017, BadNets; Chen et al. 2017, "Targeted backdoor attacks ... using data poisoning").
import type { DataTable } from '../baseline/read-table.js';
import { columnIndex } from '../baseline/read-table.js';
import { quantileSorted } from '../stats/index.js';

export interface OutlierRow {
  row: number;
  features: string[];
}

export interface OutlierCluster {
  /** 'stamped': the same out-of-range values; 'jittered': varying values (trigger-clusters.ts). */
  kind: 'stamped' | 'jittered';
  features: string[];
  values: number[]; // the shared out-of-range values, to 3 significant digits (jittered: medians)
  spread?: [number, number][]; // jittered: the lowest and highest value per feature
  rows: number[];
  labels: Record<string, number>;
  dominantLabel: string | null;
  dominantShare: number;
}

export interface OutlierOptions {
  widen: number;
  minClusterSize: number;
  minClusterFeatures: number; // out-of-range features a cluster must share (default 2)
  minLabelShare: number; // a cluster is reported when its dominant label holds this share
}

/** Fences per feature from its sorted baseline values (empty: no fence). */
export function fences(
  sortedBaseline: readonly ArrayLike<number>[],
  widen: number,
): [number, number][] {
  return sortedBaseline.map((sorted) => {
    if (sorted.length === 0) return [-Infinity, Infinity];
    const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
    return [
      quantileSorted(sorted, 0.005) - widen * iqr,
      quantileSorted(sorted, 0.995) + widen * iqr,
    ];
  });
}

export function findOutliers(
  sortedBaseline: readonly ArrayLike<number>[], // per feature, finite values ascending
  candidate: DataTable,
  features: string[],
  labels: (string | null)[],
  options: OutlierOptions,
): { rows: OutlierRow[]; clusters: OutlierCluster[] } {
  const bounds = fences(sortedBaseline, options.widen);
  const cols = features.map((name) => candidate.data[columnIndex(candidate, name)]!);
  const rows: OutlierRow[] = [];
  const groups = new Map<string, number[]>();
  for (let r = 0; r < candidate.rowCount; r++) {
    const hit: number[] = [];
    cols.forEach((col, f) => {
      const v = col[r];
      if (typeof v === 'number' && (v < bounds[f]![0] || v > bounds[f]![1])) hit.push(f);
    });
    if (hit.length === 0) continue;
    rows.push({ row: r, features: hit.map((f) => features[f]!) });
    // A trigger is stamped with the same values; natural outliers scatter.
    const key = hit.map((f) => `${f}=${Number((cols[f]![r] as number).toPrecision(3))}`).join(',');
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const clusters: OutlierCluster[] = [];
  for (const [key, members] of groups) {
    if (members.length < options.minClusterSize) continue;
    if (key.split(',').length < options.minClusterFeatures) continue;
    const counts: Record<string, number> = {};
    for (const r of members) {
      const l = labels[r] ?? '(none)';
      counts[l] = (counts[l] ?? 0) + 1;
    }
    const [dominantLabel, top] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
    const share = top / members.length;
    if (share < options.minLabelShare) continue;
    clusters.push({
      kind: 'stamped',
      features: key.split(',').map((kv) => features[Number(kv.split('=')[0])]!),
      values: key.split(',').map((kv) => Number(kv.split('=')[1])),
      rows: members,
      labels: counts,
      dominantLabel: dominantLabel === '(none)' ? null : dominantLabel,
      dominantShare: share,
    });
  }
  return { rows, clusters };
}
