import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson, type InferenceEvent } from '../src/core/index.js';
import {
  countEvents,
  indexRowOf,
  listEvents,
  parseEventFilter,
  streamEvents,
  syncEventIndex,
  type RawEventQuery,
} from '../src/forensics/index.js';
import { createStore } from '../src/store/index.js';

// Filtered event queries over N inference events on SQLite (AISOC_BENCH_EVENTS_N, default
// 200,000; the figure is 10,000,000). The events are bulk-loaded straight into
// ledger_entries and inference_index (the rows syncEventIndex would write for them, through
// indexRowOf), in large transactions on a connection of the bench's own with a 1 GiB page
// cache, so that 10M events load in minutes: the server's incremental indexing runs at about
// 1k events/s under load and would take hours. Leaf hashes are not real (bench/ledger.ts
// measures the writer). The last TAIL events are left to syncEventIndex, whose own rate is
// printed, then the filtered queries run through the store as the server runs them.

const N = Number(process.env.AISOC_BENCH_EVENTS_N ?? 200_000);
const TAIL = Math.min(20_000, Math.ceil(N / 100));
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const STEP_MS = 50; // 20 events a second: 10M events span ~5.8 days
const PRINCIPALS = 1000;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

// Keys in sorted order and only strings, integers, short decimals and null: JSON.stringify
// then gives the canonical JSON the ledger stores, about 5x faster than canonicalJson (the
// first events are checked against it in bulkLoad).
function eventOf(seq: number): InferenceEvent {
  const version = seq < N * 0.8 ? '1' : '2';
  const p = seq % PRINCIPALS;
  const failed = seq % 50 === 49;
  return {
    artifactDigest: null,
    errorCode: null,
    features: [[seq % 97, (seq * 7) % 13, 1.5, 0.25]],
    id: `evt_${seq}`,
    keyId: `key_${p}`,
    latencyMs: 1.2,
    model: seq % 4 === 0 ? 'digits' : 'breast-cancer',
    modelVersion: version,
    outcome: failed ? 'upstream_error' : 'ok',
    outputs: [[0.3, 0.7]],
    policyAction: null,
    principal: `clinic-${p}`,
    protocol: 'kserve-v2',
    requestId: `req_${seq}`,
    seq,
    sourceAddress: `10.${(p >> 8) & 255}.${p & 255}.1`,
    status: failed ? 502 : 200,
    stream: 'inference',
    time: new Date(T0 + seq * STEP_MS).toISOString(),
  } as unknown as InferenceEvent;
}

/**
 * Writes events 0..N-1 to the ledger and 0..N-TAIL-1 to the index, 100k a transaction. The
 * index's secondary indexes are dropped for the load and then created again from their own
 * stored definitions (the 0004_forensics migration's), which sorts once instead of inserting
 * 10M entries into eight B-trees that outgrow the page cache. Durability is off for the load:
 * the file is the bench's own.
 */
function bulkLoad(path: string): { loadMs: number; indexMs: number } {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -2097152'); // KiB
    db.pragma('temp_store = MEMORY');
    for (let seq = 0; seq < Math.min(N, 100); seq++)
      if (JSON.stringify(eventOf(seq)) !== canonicalJson(eventOf(seq)))
        throw new Error(`bench event ${seq} is not in canonical form`);
    const indexes = db
      .prepare(
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'inference_index' and sql is not null",
      )
      .all() as { name: string; sql: string }[];
    for (const { name } of indexes) db.exec(`drop index "${name}"`);
    const ledger = db.prepare(
      'insert into ledger_entries (stream, seq, time, leaf_hash, payload) values (?, ?, ?, ?, ?)',
    );
    const index = db.prepare(
      'insert into inference_index (seq, time, model, model_version, principal, key_id, source_address, status, outcome, request_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const chunk = db.transaction((from: number, to: number) => {
      for (let seq = from; seq < to; seq++) {
        const e = eventOf(seq);
        ledger.run('inference', seq, e.time, 'x', JSON.stringify(e));
        if (seq >= N - TAIL) continue;
        const r = indexRowOf(seq, e);
        index.run(
          r.seq,
          r.time,
          r.model,
          r.model_version,
          r.principal,
          r.key_id,
          r.source_address,
          r.status,
          r.outcome,
          r.request_id,
        );
      }
    });
    const started = performance.now();
    for (let from = 0; from < N; from += 100_000) {
      chunk(from, Math.min(from + 100_000, N));
      if (from % 1_000_000 === 0 && from > 0)
        console.log(
          `  loaded ${fmt(from)} events (${fmt((from / (performance.now() - started)) * 1000)}/s)`,
        );
    }
    const loaded = performance.now();
    for (const { name, sql } of indexes) {
      db.exec(sql);
      console.log(`  created ${name} (${fmt(performance.now() - loaded)} ms so far)`);
    }
    return { loadMs: loaded - started, indexMs: performance.now() - loaded };
  } finally {
    db.close();
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-events-'));
  const path = join(dir, 'aisoc.db');
  let store = await createStore({ driver: 'sqlite', path });
  try {
    await store.migrate();
    await store.close();
    const seeded = await time(async () => bulkLoad(path));
    console.log(
      `bulk-loaded ${fmt(N)} events (ledger + index rows, ${fmt(N - TAIL)} indexed) in ${fmt(seeded.value.loadMs)} ms (${fmt((N / seeded.value.loadMs) * 1000)}/s), then the 8 secondary indexes in ${fmt(seeded.value.indexMs)} ms`,
    );
    store = await createStore({ driver: 'sqlite', path });
    const indexed = await time(() => syncEventIndex(store));
    console.log(
      `syncEventIndex indexed the last ${fmt(indexed.value)} events in ${fmt(indexed.ms)} ms (${fmt((indexed.value / indexed.ms) * 1000)}/s)`,
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
