// Backdoor triggers whose values vary from row to row (jitter, a small pattern added to the
// row). A poisoned row comes from some source class, carries the target label, and bears the
// trigger: features on which it is unlike both the class it is labelled with and the class its
// trusted neighbours belong to (beyond the baseline's fences, or more than `z` robust
// deviations from the class median). Natural rows that merely sit between two classes are
// unlike one of them, not both. When at least `minClusterSize` doubted rows of one label (and
// at least half as many as share the commonest one) share `minClusterFeatures` such (feature,
// direction) pairs, every row of that label atypical in the same way joins the cluster,
// provided rows atypical that way are `minLabelShare` that label.
import { type ClassStats, robustZ } from './class-profile.js';
import type { FeatureMatrix, Standardiser } from './feature-matrix.js';
import type { LabelVotes } from './label-flips.js';

export interface JitteredCluster {
  label: string;
  features: string[];
  direction: ('high' | 'low')[];
  values: number[]; // the members' median value per feature
  spread: [number, number][]; // the members' lowest and highest value per feature
  rows: number[];
  labelShare: number; // share of the rows atypical this way that carry `label`
}

export interface TriggerClusterOptions {
  minClusterSize: number;
  minClusterFeatures: number;
  minLabelShare: number;
  z: number; // robust deviations from a class median that count as atypical (default 5)
  doubt: number; // rows whose trusted agreement is at most this seed clusters (default 0.5)
  low: Float64Array; // standardised fences
  high: Float64Array;
}

/** +1 when row r lies high on f for class s, -1 when low, 0 when typical. */
function side(
  m: FeatureMatrix,
  r: number,
  f: number,
  s: ClassStats | undefined,
  o: TriggerClusterOptions,
): number {
  const v = m.values[r * m.dims + f]!;
  if (Number.isNaN(v)) return 0;
  if (v > o.high[f]!) return 1;
  if (v < o.low[f]!) return -1;
  if (!s) return 0;
  const z = robustZ(s, f, v);
  return z > o.z ? 1 : z < -o.z ? -1 : 0;
}

const medianOf = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/** Clusters of rows sharing a trigger-like pattern, one label each. */
export function findJitteredClusters(
  cand: FeatureMatrix,
  classes: Map<string, ClassStats>,
  votes: LabelVotes,
  st: Standardiser,
  o: TriggerClusterOptions,
): JitteredCluster[] {
  // Seeds: doubted rows; per label, how many share each (feature, direction).
  const counts = new Map<string, Map<number, number>>(); // label → (signed feature key → rows)
  for (let r = 0; r < cand.rows; r++) {
    const label = cand.labels[r];
    const source = votes.trustedMajority[r];
    if (
      label === null ||
      label === undefined ||
      source === null ||
      source === undefined ||
      votes.trustedAgreement[r]! > o.doubt
    )
      continue;
    for (let f = 0; f < cand.dims; f++) {
      const a = side(cand, r, f, classes.get(label), o);
      if (a === 0 || (source !== label && side(cand, r, f, classes.get(source), o) !== a)) continue;
      const perLabel = counts.get(label) ?? new Map<number, number>();
      const key = a * (f + 1);
      perLabel.set(key, (perLabel.get(key) ?? 0) + 1);
      counts.set(label, perLabel);
    }
  }
  const out: JitteredCluster[] = [];
  for (const [label, perLabel] of counts) {
    // A trigger marks every poisoned row; oddities of a few doubted rows do not join it.
    const least = Math.max(o.minClusterSize, 0.5 * Math.max(...perLabel.values()));
    const keys = [...perLabel].filter(([, n]) => n >= least).map(([k]) => k);
    if (keys.length < o.minClusterFeatures) continue;
    const stats = classes.get(label);
    const members: number[] = [];
    let others = 0;
    for (let r = 0; r < cand.rows; r++) {
      let hits = 0;
      for (const k of keys) if (side(cand, r, Math.abs(k) - 1, stats, o) === Math.sign(k)) hits++;
      if (hits < o.minClusterFeatures) continue;
      if (cand.labels[r] === label) members.push(r);
      else others++;
    }
    const share = members.length / Math.max(1, members.length + others);
    if (members.length < o.minClusterSize || share < o.minLabelShare) continue;
    const fs = keys.map((k) => Math.abs(k) - 1);
    const raw = (f: number, r: number) =>
      cand.values[r * cand.dims + f]! * st.scale[f]! + st.mean[f]!;
    const sig = (x: number) => Number(x.toPrecision(4));
    out.push({
      label,
      features: fs.map((f) => st.features[f]!),
      direction: keys.map((k) => (k > 0 ? 'high' : 'low')),
      values: fs.map((f) => sig(medianOf(members.map((r) => raw(f, r))))),
      spread: fs.map((f) => {
        const vs = members.map((r) => raw(f, r)).filter((v) => !Number.isNaN(v));
        return [sig(Math.min(...vs)), sig(Math.max(...vs))];
      }),
      rows: members,
      labelShare: share,
    });
  }
  return out;
}
