// Streaming drift throughput (target ≥ 1M feature values/s/core) and data-audit time
// (target 100k rows × 30 features < 10 s). Prints figures and a ratio against a plain copy
// of the same values into arrays measured in the same run.
import { performance } from 'node:perf_hooks';
import { auditDataset } from '../src/detect/audit/audit-dataset.js';
import { buildBaseline } from '../src/detect/baseline/baseline-profile.js';
import type { Cell, DataTable } from '../src/detect/baseline/read-table.js';
import { createDriftDetector } from '../src/detect/drift/drift-detector.js';
import { makeEvent } from '../src/detect/drift/test-events.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
}

/** A synthetic table of `rows` × `features` standard normals (plus an optional label). */
export function syntheticTable(rows: number, features: number, seed: number, shift = 0): DataTable {
  const r = rng(seed);
  const columns = Array.from({ length: features }, (_, c) => `f${c}`);
  const data: Cell[][] = columns.map((_, c) =>
    Array.from({ length: rows }, () => normal(r) + (c % 2 ? shift : 0)),
  );
  return { columns, data, rowCount: rows };
}

async function benchStreaming(): Promise<void> {
  const features = 30;
  const baseline = buildBaseline(syntheticTable(20_000, features, 1), { name: 'synthetic' });
  const detector = createDriftDetector({
    baselines: { m: baseline },
    window: { kind: 'count', size: 1000 },
  });
  const r = rng(2);
  const rows = 100_000;
  const events = Array.from({ length: rows }, (_, i) =>
    makeEvent(
      i,
      i * 10,
      [
        Array.from(
          { length: features },
          (_, c) => normal(r) + (i > rows / 2 && c % 2 === 0 ? 0.3 : 0),
        ),
      ],
      [[0.4, 0.6]],
      'm',
    ),
  );
  const copyStart = performance.now();
  const sink: number[][] = Array.from({ length: features }, () => []);
  for (const e of events) e.features![0]!.forEach((v, c) => sink[c]!.push(v));
  const copyMs = performance.now() - copyStart;
  const state = detector.init();
  let alerts = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const e of events) alerts += detector.observe(state, e).length;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const values = rows * features;
  console.log(
    `drift streaming: ${values} values (${rows} rows × ${features}, windows of 1000) in ${ms.toFixed(0)} ms = ` +
      `${(((values / ms) * 1000) / 1e6).toFixed(2)}M values/s (CPU ${cpuMs.toFixed(0)} ms = ` +
      `${(((values / cpuMs) * 1000) / 1e6).toFixed(2)}M values per CPU-second); ${alerts} alerts; ` +
      `plain copy ${copyMs.toFixed(0)} ms (ratio ${(ms / copyMs).toFixed(1)}×)`,
  );
}

async function benchAudit(): Promise<void> {
  const rows = 100_000;
  const baseline = syntheticTable(rows, 30, 11);
  const candidate = syntheticTable(rows, 30, 12, 0.05);
  const r = rng(13);
  const label = (t: DataTable): Cell[] =>
    Array.from(
      { length: t.rowCount },
      (_, i) =>
        ((t.data[0]![i] as number) + (t.data[1]![i] as number) > 0 ? 1 : 0) ^ (r() < 0.01 ? 1 : 0),
    );
  const withLabel = (t: DataTable): DataTable => ({
    columns: [...t.columns, 'label'],
    data: [...t.data, label(t)],
    rowCount: t.rowCount,
  });
  const b = withLabel(baseline);
  const c = withLabel(candidate);
  // Reference: sorting every feature column of both tables once, the least any audit does.
  const sortStart = performance.now();
  for (const t of [b, c])
    for (const col of t.data.slice(0, 30)) Float64Array.from(col as number[]).sort();
  const sortMs = performance.now() - sortStart;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = auditDataset({ baseline: b, candidate: c, labelColumn: 'label' });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(
    `data audit: ${rows} rows × 30 features against ${rows} baseline rows in ${(ms / 1000).toFixed(2)} s ` +
      `(CPU ${cpuS.toFixed(2)} s) ` +
      `(target < 10 s); ${report.quarantine.length} rows quarantined, ${report.featureDrift.drifted.length} features drifted; ` +
      `sorting every column once ${sortMs.toFixed(0)} ms (ratio ${(ms / sortMs).toFixed(1)}×)`,
  );
}

export async function run(): Promise<void> {
  await benchStreaming();
  await benchAudit();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
