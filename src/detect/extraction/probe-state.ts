/**
 * Coordinate-probe detection: score-based random search (SimBA, Guo et al. 2019) and
 * finite-difference attacks change one or two features of a query they already sent. Keeps
 * the last `cap` distinct raw rows and reports whether the new row differs from one of them
 * in at least one and at most `maxChanged` features.
 */
export interface ProbeState {
  readonly dim: number;
  readonly rows: Float32Array;
  filled: number;
  next: number;
}

export function createProbeState(dim: number, cap: number): ProbeState {
  return { dim, rows: new Float32Array(dim * cap), filled: 0, next: 0 };
}

let scratch = new Float32Array(64);

export function observeProbe(s: ProbeState, x: readonly number[], maxChanged: number): boolean {
  let probe = false;
  let duplicate = false;
  const dim = s.dim;
  if (scratch.length < dim) scratch = new Float32Array(dim);
  const f = scratch;
  for (let j = 0; j < dim; j += 1) f[j] = x[j]!;
  const rows = s.rows;
  for (let i = 0; i < s.filled && !duplicate; i += 1) {
    let changed = 0;
    const base = i * dim;
    for (let j = 0; j < dim && changed <= maxChanged; j += 1)
      if (rows[base + j] !== f[j]) changed += 1;
    if (changed === 0) duplicate = true;
    else if (changed <= maxChanged) probe = true;
  }
  if (duplicate) return false;
  const cap = s.rows.length / s.dim;
  for (let j = 0, off = s.next * dim; j < dim; j += 1) rows[off + j] = f[j]!;
  s.next = (s.next + 1) % cap;
  s.filled = Math.min(cap, s.filled + 1);
  return probe;
}

export function probeBytes(s: ProbeState): number {
  return s.rows.byteLength + 32;
}
