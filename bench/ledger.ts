import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLedgerWriter,
  createMerkleFrontier,
  hashLeaf,
  leafPayload,
  keyFromPrivate,
  leafTemplate,
  verifyLedger,
  type LeafTemplate,
} from '../src/ledger/index.js';
import { createStore, type Store } from '../src/store/index.js';

// Ledger throughput on SQLite, each figure beside a reference measured in the same run:
// appends/s through the writer (async and durable) vs plain inserts of the same rows with no
// hashing; verify entries/s vs a plain read of the rows.

const N = Number(process.env.AISOC_BENCH_LEDGER_N ?? 300_000);

function event(i: number): Record<string, unknown> {
  const features = Array.from(
    { length: 30 },
    (_, j) => Math.round(((i * 31 + j * 7) % 1000) * 1.37) / 100,
  );
  return {
    id: `evt_01JC${String(i).padStart(22, '0')}`,
    time: new Date(1_763_000_000_000 + i).toISOString(),
    requestId: `req_${i}`,
    model: 'breast-cancer',
    modelVersion: '1',
    artifactDigest: 'sha256:9f2c1e7a4b3d',
    protocol: 'kserve-v2',
    principal: 'team-a',
    keyId: 'key_01JC0000000000000000000001',
    sourceAddress: '127.0.0.1',
    features: [features],
    outputs: [[0.12, 0.88]],
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1.25,
  };
}

const rate = (n: number, ms: number) => (n / ms) * 1000;
// CPU time of every thread of the process: on a shared, loaded machine this moves far less
// than wall time, so the writer-to-raw ratio of CPU per row is the steadier figure.
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function appendAsync(
  config: { driver: 'sqlite'; path: string },
  pool: Record<string, unknown>[],
  n: number,
) {
  const key = keyFromPrivate('bench/ledger', generateKeyPairSync('ed25519').privateKey);
  const writer = await createLedgerWriter({
    store: config,
    streams: ['inference'],
    key,
    origin: 'bench',
    maxQueue: n + 1,
    overflow: 'reject',
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let mainMs = 0;
  for (let i = 0; i < n; i += 1000) {
    const t = performance.now();
    for (let j = i; j < Math.min(i + 1000, n); j++)
      writer.append('inference', pool[j % pool.length]!);
    mainMs += performance.now() - t;
    // Yield as a server would between requests, so batches flow while appends continue.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();
  const ms = performance.now() - started;
  const stats = writer.stats();
  await writer.close();
  return { ms, mainMs, stats, key, cpuMs: cpuMs(cpu) };
}

async function appendDurable(
  config: { driver: 'sqlite'; path: string },
  pool: Record<string, unknown>[],
  n: number,
  concurrency: number,
) {
  const key = keyFromPrivate('bench/ledger', generateKeyPairSync('ed25519').privateKey);
  const writer = await createLedgerWriter({
    store: config,
    streams: ['audit'],
    key,
    origin: 'bench',
  });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const e = pool[next++ % pool.length]!;
        const t = performance.now();
        await writer.appendDurable('audit', e);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  await writer.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!;
  return { ms, p50: at(0.5), p99: at(0.99) };
}

/** The reference: the same rows (payloads prepared beforehand), inserted with no hashing. */
async function rawInsert(store: Store, templates: LeafTemplate[], n: number) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
      stream: 'raw',
      seq: i + j,
      time: '2026-01-01T00:00:00.000Z',
      leaf_hash: '0'.repeat(64),
      payload: leafPayload(templates[(i + j) % templates.length]!, i + j),
    }));
    await store.db
      .transaction()
      .execute((trx) => trx.insertInto('ledger_entries').values(rows).execute());
  }
  return { ms: performance.now() - started, cpuMs: cpuMs(cpu) };
}

/** Where the writer's time goes, measured apart: serialising on the caller, hashing in the worker. */
function parts(pool: Record<string, unknown>[], n: number) {
  let t = performance.now();
  const templates: LeafTemplate[] = [];
  for (let i = 0; i < n; i++) {
    templates.push(leafTemplate('inference', pool[i % pool.length]!, 0));
    if (templates.length === 1000) templates.length = 0;
  }
  const serialiseMs = performance.now() - t;
  const ready = pool.map((e) => leafTemplate('inference', e, 0));
  t = performance.now();
  const frontier = createMerkleFrontier();
  for (let seq = 0; seq < n; seq++)
    frontier.append(hashLeaf(leafPayload(ready[seq % ready.length]!, seq)));
  frontier.root();
  return { serialiseMs, hashMs: performance.now() - t };
}

/** The reference for verification: reading every row of the stream, page by page. */
async function rawRead(store: Store, stream: string) {
  const started = performance.now();
  let rows = 0;
  for (let from = 0; ;) {
    const page = await store.db
      .selectFrom('ledger_entries')
      .select(['seq', 'time', 'leaf_hash', 'payload'])
      .where('stream', '=', stream)
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(5000)
      .execute();
    rows += page.length;
    if (page.length < 5000) break;
    from = Number(page[page.length - 1]!.seq) + 1;
  }
  return { ms: performance.now() - started, rows };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-ledger-'));
  const config = { driver: 'sqlite' as const, path: join(dir, 'ledger.db') };
  const store = await createStore(config);
  try {
    await store.migrate();
    // A pool of distinct events, cycled: holding N events would make the benchmark a test of
    // the garbage collector rather than of the ledger.
    const pool = Array.from({ length: 1000 }, (_, i) => event(i));
    const templates = pool.map((e) => leafTemplate('raw', e, 0));
    const raw = await rawInsert(store, templates, N);
    const a = await appendAsync(config, pool, N);
    const d = await appendDurable(config, pool, 20_000, 64);
    const read = await rawRead(store, 'inference');
    const t = performance.now();
    const verified = await verifyLedger(store, 'inference', { publicKey: a.key.verifierKey });
    const verifyMs = performance.now() - t;
    const split = parts(pool, N);
    const appendRate = rate(N, a.ms);
    const rawRate = rate(N, raw.ms);
    const verifyRate = rate(verified.entries, verifyMs);
    const readRate = rate(read.rows, read.ms);
    const lines = [
      `ledger on SQLite: ${fmt(N)} inference events of ~${fmt(leafPayload(templates[0]!, 0).length)} bytes`,
      `  append, async batched      ${fmt(appendRate).padStart(9)} appends/s   ${(appendRate / rawRate).toFixed(2)}x the raw insert below (${a.stats.batches} commits)`,
      `    CPU, all threads         ${((a.cpuMs * 1000) / N).toFixed(2).padStart(9)} µs/append   vs ${((raw.cpuMs * 1000) / N).toFixed(2)} µs/row for the raw insert`,
      `    caller thread            ${((a.mainMs * 1000) / N).toFixed(2).padStart(9)} µs/append   (canonical JSON + queue)`,
      `  raw insert, no hashing     ${fmt(rawRate).padStart(9)} rows/s      (same rows pre-serialised, 1,000 per transaction)`,
      `  serialise only             ${fmt(rate(N, split.serialiseMs)).padStart(9)} entries/s   (canonical JSON on one thread)`,
      `  leaf hash + frontier only  ${fmt(rate(N, split.hashMs)).padStart(9)} entries/s   (the worker's hashing, no database)`,
      `  append, durable (64 lanes) ${fmt(rate(20_000, d.ms)).padStart(9)} acks/s      p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms`,
      `  verify                     ${fmt(verifyRate).padStart(9)} entries/s   ${(verifyRate / readRate).toFixed(2)}x the raw read below (ok=${verified.ok}, ${verified.checkpoints} checkpoints)`,
      `  raw read of the same rows  ${fmt(readRate).padStart(9)} rows/s`,
    ];
    console.log(lines.join('\n'));
    if (!verified.ok || a.stats.written !== N)
      throw new Error(`bench ledger did not verify: ${JSON.stringify(verified)}`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
