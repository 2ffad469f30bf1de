import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../src/core/index.js';
import { createLedgerWriter, verifyLedger } from '../src/ledger/index.js';
import { keyFromPrivate } from '../src/ledger/ledger-key.js';
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
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function appendAsync(
  config: { driver: 'sqlite'; path: string },
  events: Record<string, unknown>[],
) {
  const key = keyFromPrivate('bench/ledger', generateKeyPairSync('ed25519').privateKey);
  const writer = await createLedgerWriter({
    store: config,
    streams: ['inference'],
    key,
    origin: 'bench',
    maxQueue: events.length + 1,
    overflow: 'reject',
  });
  const started = performance.now();
  let mainMs = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const t = performance.now();
    for (let j = i; j < Math.min(i + 1000, events.length); j++)
      writer.append('inference', events[j]!);
    mainMs += performance.now() - t;
    // Yield as a server would between requests, so batches flow while appends continue.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();
  const ms = performance.now() - started;
  const stats = writer.stats();
  await writer.close();
  return { ms, mainMs, stats, key };
}

async function appendDurable(
  config: { driver: 'sqlite'; path: string },
  events: Record<string, unknown>[],
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
      while (next < events.length) {
        const e = events[next++]!;
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
async function rawInsert(store: Store, payloads: string[]) {
  const started = performance.now();
  for (let i = 0; i < payloads.length; i += 1000) {
    const rows = payloads.slice(i, i + 1000).map((payload, j) => ({
      stream: 'raw',
      seq: i + j,
      time: '2026-01-01T00:00:00.000Z',
      leaf_hash: '0'.repeat(64),
      payload,
    }));
    await store.db
      .transaction()
      .execute((trx) => trx.insertInto('ledger_entries').values(rows).execute());
  }
  return performance.now() - started;
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
    const events = Array.from({ length: N }, (_, i) => event(i));
    const payloads = events.map((e, seq) => canonicalJson({ ...e, stream: 'raw', seq }));
    const rawMs = await rawInsert(store, payloads);
    const a = await appendAsync(config, events);
    const d = await appendDurable(config, events.slice(0, 20_000), 64);
    const read = await rawRead(store, 'inference');
    const t = performance.now();
    const verified = await verifyLedger(store, 'inference', { publicKey: a.key.verifierKey });
    const verifyMs = performance.now() - t;
    const appendRate = rate(N, a.ms);
    const rawRate = rate(N, rawMs);
    console.log(
      `ledger (SQLite, ${fmt(N)} inference events of ~${fmt(payloads[0]!.length)} bytes, ${a.stats.batches} commits)`,
    );
    console.log(
      `  append async, batched : ${fmt(appendRate)} appends/s (main thread ${((a.mainMs * 1000) / N).toFixed(2)} µs/append)`,
    );
    console.log(
      `  raw insert, no hashing: ${fmt(rawRate)} rows/s  -> writer at ${(appendRate / rawRate).toFixed(2)}x raw`,
    );
    console.log(
      `  append durable (64 concurrent): ${fmt(rate(20_000, d.ms))} acks/s, p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms`,
    );
    const verifyRate = rate(verified.entries, verifyMs);
    const readRate = rate(read.rows, read.ms);
    console.log(
      `  verify: ${fmt(verifyRate)} entries/s (ok=${verified.ok}, ${verified.checkpoints} checkpoints)`,
    );
    console.log(
      `  raw read of the same rows: ${fmt(readRate)} rows/s  -> verify at ${(verifyRate / readRate).toFixed(2)}x raw read`,
    );
    if (!verified.ok || a.stats.written !== N)
      throw new Error(`bench ledger did not verify: ${JSON.stringify(verified)}`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
