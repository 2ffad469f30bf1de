// Exact and near duplicates. Exact: identical feature values. Near: identical after rounding
// every standardised feature to `resolution` baseline deviations (a grid hash, so the cost
// stays linear). A duplicate whose label differs from its twin's is a label conflict.
import type { FeatureMatrix } from './feature-matrix.js';

export interface DuplicateFinding {
  row: number; // candidate row index
  of: { source: 'baseline' | 'candidate'; row: number };
  kind: 'exact' | 'near';
  labelConflict: boolean;
}

interface Entry {
  source: 'baseline' | 'candidate';
  row: number;
  label: string | null;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Cell value of the key: the exact double, or its grid cell; NaN keys as NaN. */
function cell(m: FeatureMatrix, r: number, f: number, resolution: number | null): number {
  const v = m.values[r * m.dims + f]!;
  return resolution === null || Number.isNaN(v) ? v : Math.round(v / resolution);
}

// Two 32-bit multiplicative hashes over the bits of the key's doubles, folded into one
// safe integer; equal hashes are confirmed value by value, so collisions cost time only.
function hashRow(m: FeatureMatrix, r: number, resolution: number | null): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let f = 0; f < m.dims; f++) {
    f64[0] = cell(m, r, f, resolution) + 0; // +0 folds -0 into 0
    h1 = Math.imul(h1 ^ u32[0]!, 0x01000193);
    h1 = Math.imul(h1 ^ u32[1]!, 0x01000193);
    h2 = Math.imul(h2 ^ u32[1]!, 0x5bd1e995) ^ (h2 >>> 15);
    h2 = Math.imul(h2 ^ u32[0]!, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

function sameKey(
  a: FeatureMatrix,
  ra: number,
  b: FeatureMatrix,
  rb: number,
  resolution: number | null,
): boolean {
  for (let f = 0; f < a.dims; f++) {
    const x = cell(a, ra, f, resolution);
    const y = cell(b, rb, f, resolution);
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

class KeyIndex {
  private readonly map = new Map<number, Entry[]>();
  constructor(
    private readonly base: FeatureMatrix,
    private readonly cand: FeatureMatrix,
    private readonly resolution: number | null,
  ) {}

  private matrix(e: Entry): FeatureMatrix {
    return e.source === 'baseline' ? this.base : this.cand;
  }

  find(m: FeatureMatrix, r: number, h: number): Entry | undefined {
    return this.map.get(h)?.find((e) => sameKey(this.matrix(e), e.row, m, r, this.resolution));
  }

  add(h: number, e: Entry): void {
    const list = this.map.get(h);
    if (list) list.push(e);
    else this.map.set(h, [e]);
  }
}

/** Candidate rows that repeat an earlier candidate row or a baseline row. */
export function findDuplicates(
  baseline: FeatureMatrix,
  candidate: FeatureMatrix,
  resolution: number,
): DuplicateFinding[] {
  const exact = new KeyIndex(baseline, candidate, null);
  const near = new KeyIndex(baseline, candidate, resolution);
  for (let r = 0; r < baseline.rows; r++) {
    const e: Entry = { source: 'baseline', row: r, label: baseline.labels[r]! };
    const he = hashRow(baseline, r, null);
    if (!exact.find(baseline, r, he)) exact.add(he, e);
    const hn = hashRow(baseline, r, resolution);
    if (!near.find(baseline, r, hn)) near.add(hn, e);
  }
  const out: DuplicateFinding[] = [];
  for (let r = 0; r < candidate.rows; r++) {
    const label = candidate.labels[r]!;
    const he = hashRow(candidate, r, null);
    const hn = hashRow(candidate, r, resolution);
    const exactTwin = exact.find(candidate, r, he);
    const nearTwin = exactTwin ? undefined : near.find(candidate, r, hn);
    const twin = exactTwin ?? nearTwin;
    if (twin)
      out.push({
        row: r,
        of: { source: twin.source, row: twin.row },
        kind: exactTwin ? 'exact' : 'near',
        labelConflict: twin.label !== label,
      });
    const e: Entry = { source: 'candidate', row: r, label };
    if (!exactTwin) exact.add(he, e);
    if (!twin) near.add(hn, e);
  }
  return out;
}
