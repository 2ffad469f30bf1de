import type { LoadResult } from './load.js';

/** The per-round results of one target, in round order. */
export interface TargetRuns {
  name: string;
  saturation: readonly LoadResult[];
  fixed: readonly LoadResult[];
}

/**
 * Medians over the interleaved rounds. Ratios and added latencies are taken within each round
 * (target and reference measured seconds apart) and then the median of those is reported, so
 * drift in the machine's load between rounds cancels out.
 */
export interface TargetFigures {
  name: string;
  rps: number;
  vsBare: number | null;
  vsNginx: number | null;
  p50: number; // µs at the fixed rate
  p99: number;
  addedP50: number | null;
  addedP99: number | null;
  fixedRps: number;
  errors: number;
  /** CPU µs the target process spent per request at saturation, and that against the bare proxy. */
  cpuUs: number | null;
  cpuVsBare: number | null;
  mainUs: number | null;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Folds every target's rounds into its figures (references found by name prefix). */
export function summarise(targets: readonly TargetRuns[]): TargetFigures[] {
  const find = (prefix: string) => targets.find((t) => t.name.startsWith(prefix));
  const direct = find('direct');
  const bare = find('bare');
  const nginx = find('nginx');
  const perRound = (
    t: TargetRuns,
    ref: TargetRuns | undefined,
    pick: (r: LoadResult, ref: LoadResult) => number,
    which: 'saturation' | 'fixed',
  ) => (ref && ref !== t ? median(t[which].map((r, i) => pick(r, ref[which][i]!))) : null);
  return targets.map((t) => ({
    name: t.name,
    rps: median(t.saturation.map((r) => r.rps)),
    vsBare: bare === t ? 1 : perRound(t, bare, (r, b) => r.rps / b.rps, 'saturation'),
    vsNginx: nginx === t ? 1 : perRound(t, nginx, (r, n) => r.rps / n.rps, 'saturation'),
    p50: median(t.fixed.map((r) => r.p50)),
    p99: median(t.fixed.map((r) => r.p99)),
    addedP50: perRound(t, direct, (r, d) => r.p50 - d.p50, 'fixed'),
    addedP99: perRound(t, direct, (r, d) => r.p99 - d.p99, 'fixed'),
    fixedRps: median(t.fixed.map((r) => r.rps)),
    errors: [...t.saturation, ...t.fixed].reduce((sum, r) => sum + r.errors, 0),
    cpuUs: cpuOf(t.saturation.map((r) => r.cpuUs)),
    mainUs: cpuOf(t.saturation.map((r) => r.mainUs)),
    cpuVsBare:
      bare === t
        ? 1
        : perRound(t, bare, (r, b) => (r.cpuUs ?? NaN) / (b.cpuUs ?? NaN), 'saturation'),
  }));
}

function cpuOf(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((c): c is number => typeof c === 'number');
  return known.length ? median(known) : null;
}

const HEAD = [
  'target',
  'req/s',
  'vs bare',
  'vs nginx',
  'cpu µs/req',
  'cpu vs bare',
  'main thread µs/req',
  'p50 µs',
  'p99 µs',
  '+p50 µs',
  '+p99 µs',
  'rate',
  'errors',
];

/** The comparison table: throughput ratios and latency added over the direct upstream. */
export function formatTable(rows: readonly TargetFigures[]): string {
  const body = rows.map((r) => [
    r.name,
    r.rps.toFixed(0),
    r.vsBare === null ? '—' : `${r.vsBare.toFixed(2)}x`,
    r.vsNginx === null ? '—' : `${r.vsNginx.toFixed(2)}x`,
    r.cpuUs === null ? '—' : r.cpuUs.toFixed(0),
    r.cpuVsBare === null || Number.isNaN(r.cpuVsBare) ? '—' : `${r.cpuVsBare.toFixed(2)}x`,
    r.mainUs === null ? '—' : r.mainUs.toFixed(0),
    r.p50.toFixed(0),
    r.p99.toFixed(0),
    signed(r.addedP50),
    signed(r.addedP99),
    r.fixedRps.toFixed(0),
    String(r.errors),
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The two targets for each gateway row, as printable verdict lines. */
export function verdicts(rows: readonly TargetFigures[]): string[] {
  return rows
    .filter((r) => r.name.startsWith('gateway'))
    .flatMap((r) => {
      const out: string[] = [];
      if (r.vsBare !== null) {
        const met = r.vsBare >= 0.9 ? 'MET' : 'NOT MET';
        out.push(
          `${r.name}: ${r.vsBare.toFixed(2)}x the bare Node proxy's throughput (target >= 0.90): ${met}`,
        );
      }
      if (r.addedP99 !== null) {
        const ms = r.addedP99 / 1000;
        const met = ms <= 1 ? 'MET' : 'NOT MET';
        out.push(
          `${r.name}: adds ${ms.toFixed(3)} ms at p99 at the fixed rate (target <= 1 ms): ${met}`,
        );
      }
      return out;
    });
}

function signed(us: number | null): string {
  if (us === null) return '—';
  return `${us >= 0 ? '+' : ''}${us.toFixed(0)}`;
}
