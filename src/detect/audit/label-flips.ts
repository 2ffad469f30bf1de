// Label-flip suspects: candidate rows whose label few of their k nearest neighbours share
// (a kNN disagreement filter; Brodley & Friedl 1999, "Identifying mislabeled training data").
// Neighbours come from neighbours.ts. Two rounds keep poisoned rows from vouching for each
// other: first the trusted rows alone vote; candidate rows they doubt may not vote in the
// second round, where the k nearest of the trusted and the remaining candidate rows vote.
import type { FeatureMatrix } from './feature-matrix.js';
import type { NeighbourPool, Neighbours } from './neighbours.js';

/** A neighbour named in a reason: a baseline (trusted) or candidate row, 0-based. */
export interface NeighbourRef {
  source: 'baseline' | 'candidate';
  row: number;
  label: string;
}

export interface LabelFlipSuspect {
  row: number;
  label: string;
  neighbourMajority: string;
  agreement: number; // share of the k voters with the row's own label
  trustedAgreement: number; // the same among the k nearest trusted rows
  neighbours: NeighbourRef[]; // the k voters, nearest first
}

export interface LabelFlipOptions {
  /** Flag when the agreement is at most this and so is the trusted agreement, or it is 0. */
  maxAgreement: number;
  /** Candidate rows with at most this trusted agreement may not vote (default 0.2). */
  muteAgreement: number;
  /** 'mixed': trusted and (unmuted) candidate rows vote; 'trusted': trusted rows only. */
  pool: 'mixed' | 'trusted';
}

export function neighbourRef(pool: NeighbourPool, p: number): NeighbourRef {
  const c = pool.candidateRow[p]!;
  return c >= 0
    ? { source: 'candidate', row: c, label: pool.labels[p]! }
    : { source: 'baseline', row: pool.baselineRow[p]!, label: pool.labels[p]! };
}

/** Pool indices of row r's k nearest voters, nearest first (muted candidate rows skipped). */
function voters(
  nb: Neighbours,
  pool: NeighbourPool,
  r: number,
  trustedOnly: boolean,
  muted: Uint8Array,
): number[] {
  const k = nb.k;
  const at = r * k;
  const out: number[] = [];
  let t = 0;
  let c = 0;
  const usable = (i: number) => nb.candidate[at + i]! >= 0;
  while (out.length < k) {
    while (c < k && usable(c) && muted[pool.candidateRow[nb.candidate[at + c]!]!]) c++;
    const dt = t < k && nb.trusted[at + t]! >= 0 ? nb.trustedDistance[at + t]! : Infinity;
    const dc = !trustedOnly && c < k && usable(c) ? nb.candidateDistance[at + c]! : Infinity;
    if (dt === Infinity && dc === Infinity) break;
    if (dt <= dc) out.push(nb.trusted[at + t++]!);
    else out.push(nb.candidate[at + c++]!);
  }
  return out;
}

export interface LabelVotes {
  suspects: LabelFlipSuspect[];
  /** Per candidate row: share of its k nearest trusted rows with its label (1 if unlabelled). */
  trustedAgreement: Float64Array;
  /** Per candidate row: the commonest label among its k nearest trusted rows. */
  trustedMajority: (string | null)[];
}

const majorityOf = (labels: string[]): string | null => {
  const votes = new Map<string, number>();
  for (const l of labels) votes.set(l, (votes.get(l) ?? 0) + 1);
  const best = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return best ? best[0] : null;
};

/** Flags candidate rows whose label disagrees with their nearest neighbours. */
export function findLabelFlips(
  candidate: FeatureMatrix,
  pool: NeighbourPool,
  nb: Neighbours,
  options: LabelFlipOptions,
): LabelVotes {
  const share = (r: number, vs: number[]) => {
    let same = 0;
    for (const p of vs) if (pool.labels[p] === candidate.labels[r]) same++;
    return vs.length ? same / vs.length : 1;
  };
  const none = new Uint8Array(candidate.rows);
  const muted = new Uint8Array(candidate.rows);
  const trusted = new Float64Array(candidate.rows).fill(1);
  const trustedMajority: (string | null)[] = new Array<string | null>(candidate.rows).fill(null);
  for (let r = 0; r < candidate.rows; r++) {
    if (candidate.labels[r] === null) continue;
    const vs = voters(nb, pool, r, true, none);
    trusted[r] = share(r, vs);
    trustedMajority[r] = majorityOf(vs.map((p) => pool.labels[p]!));
    if (trusted[r]! <= options.muteAgreement) muted[r] = 1;
  }
  const out: LabelFlipSuspect[] = [];
  for (let r = 0; r < candidate.rows; r++) {
    const label = candidate.labels[r];
    if (label === null || label === undefined) continue;
    const vs = voters(nb, pool, r, options.pool === 'trusted', muted);
    if (vs.length === 0) continue;
    const agreement = share(r, vs);
    if (agreement > options.maxAgreement) continue;
    if (agreement > 0 && trusted[r]! > options.maxAgreement) continue;
    out.push({
      row: r,
      label,
      neighbourMajority: majorityOf(vs.map((p) => pool.labels[p]!))!,
      agreement,
      trustedAgreement: trusted[r]!,
      neighbours: vs.map((p) => neighbourRef(pool, p)),
    });
  }
  return { suspects: out, trustedAgreement: trusted, trustedMajority };
}
