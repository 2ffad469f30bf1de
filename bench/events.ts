import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { canonicalJson } from '../src/core/index.js';
import {
  countEvents,
  listEvents,
  parseEventFilter,
  streamEvents,
  syncEventIndex,
  type RawEventQuery,
} from '../src/forensics/index.js';
import { createStore, type Store } from '../src/store/index.js';

// Filtered event queries over N inference events on SQLite (AISOC_BENCH_EVENTS_N, default
// 200,000; the figure is 10,000,000). Events are written straight into
// ledger_entries (leaf hashes are not checked here: bench/ledger.ts measures the writer),
// then indexed by syncEventIndex as the server does, then queried.

const N = Number(process.env.AISOC_BENCH_EVENTS_N ?? 200_000);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const STEP_MS = 50; // 20 events a second: 10M events span ~5.8 days
const PRINCIPALS = 1000;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function payload(seq: number): string {
  const version = seq < N * 0.8 ? '1' : '2';
  const p = seq % PRINCIPALS;
  return canonicalJson({
    stream: 'inference',
    seq,
    id: `evt_${seq}`,
    time: new Date(T0 + seq * STEP_MS).toISOString(),
    requestId: `req_${seq}`,
    model: seq % 4 === 0 ? 'digits' : 'breast-cancer',
    modelVersion: version,
    artifactDigest: null,
    protocol: 'kserve-v2',
    principal: `clinic-${p}`,
    keyId: `key_${p}`,
    sourceAddress: `10.${(p >> 8) & 255}.${p & 255}.1`,
    features: [[seq % 97, (seq * 7) % 13, 1.5, 0.25]],
    outputs: [[0.3, 0.7]],
    status: seq % 50 === 49 ? 502 : 200,
    outcome: seq % 50 === 49 ? 'upstream_error' : 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1.2,
  });
}

async function seed(store: Store): Promise<void> {
  const batch = 500;
  for (let start = 0; start < N; start += 50_000) {
    await store.db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(start + 50_000, N); i += batch) {
        const values = [];
        for (let seq = i; seq < Math.min(i + batch, N); seq++)
          values.push(
            sql`('inference', ${seq}, ${new Date(T0 + seq * STEP_MS).toISOString()}, 'x', ${payload(seq)})`,
          );
        await sql`insert into ledger_entries (stream, seq, time, leaf_hash, payload) values ${sql.join(values)}`.execute(
          trx,
        );
      }
    });
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-events-'));
  const store = await createStore({ driver: 'sqlite', path: join(dir, 'aisoc.db') });
  try {
    await store.migrate();
    const seeded = await time(() => seed(store));
    console.log(`seeded ${fmt(N)} events in ${fmt(seeded.ms)} ms`);
    const indexed = await time(() => syncEventIndex(store));
    console.log(
      `indexed ${fmt(indexed.value)} events in ${fmt(indexed.ms)} ms (${fmt((indexed.value / indexed.ms) * 1000)}/s)`,
    );
    const mid = new Date(T0 + Math.floor(N * 0.9) * STEP_MS).toISOString();
    const hourLater = new Date(Date.parse(mid) + 3_600_000).toISOString();
    const queries: [string, RawEventQuery][] = [
      [
        'model + version, newest 100',
        { model: 'breast-cancer', version: '2', order: 'desc', limit: '100' },
      ],
      ['principal, newest 100', { principal: 'clinic-417', order: 'desc', limit: '100' }],
      ['key + status 502, all', { key: 'key_49', status: '502' }],
      ['source, 1 hour window', { source: '10.1.161.1', from: mid, to: hourLater }],
      [
        'model + version + 1 hour, all',
        { model: 'breast-cancer', version: '2', from: mid, to: hourLater },
      ],
      ['outcome only, first 100', { outcome: 'upstream_error', limit: '100' }],
    ];
    for (const [name, raw] of queries) {
      const filter = parseEventFilter(raw);
      await listEvents(store, filter); // warm the page cache as a running server would have it
      const r = await time(() => listEvents(store, filter));
      console.log(
        `query ${name.padEnd(32)} ${String(r.value.length).padStart(7)} events in ${r.ms.toFixed(1)} ms`,
      );
    }
    const counted = await time(() =>
      countEvents(store, parseEventFilter({ model: 'breast-cancer', version: '2' })),
    );
    console.log(`count model + version ${fmt(counted.value)} events in ${fmt(counted.ms)} ms`);
    const streamed = await time(async () => {
      let n = 0;
      for await (const _ of streamEvents(
        store,
        parseEventFilter({ model: 'breast-cancer', version: '2' }),
      ))
        n++;
      return n;
    });
    console.log(
      `stream model + version: ${fmt(streamed.value)} events in ${fmt(streamed.ms)} ms (${fmt((streamed.value / streamed.ms) * 1000)}/s)`,
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
