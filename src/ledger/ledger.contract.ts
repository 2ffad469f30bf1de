import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson } from '../core/index.js';
import { createStore, type Store, type StoreConfig } from '../store/index.js';
import { hashLeaf } from './merkle-hash.js';
import {
  createLedgerWriter,
  exportCheckpoints,
  exportPublicKey,
  getCheckpoint,
  merkleRoot,
  parseCheckpoint,
  parseNote,
  proveConsistency,
  proveInclusion,
  readEntries,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyLedger,
  type LedgerWriter,
  type LedgerWriterOptions,
} from './index.js';
import { keyFromPrivate } from './ledger-key.js';

/** How the contract reaches one engine: a migrated store config (the same database each call). */
export interface LedgerHarness {
  config(): Promise<StoreConfig>;
  dispose(): Promise<void>;
}

const key = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
const publicKey = key.verifierKey;
const ORIGIN = 'aisoc.test';
let streamCounter = 0;
const newStream = () => `s${Date.now().toString(36)}${(streamCounter++).toString(36)}`;

/** Turns off the append-only triggers, as an attacker with database access would. */
export async function disableAppendOnly(store: Store): Promise<void> {
  if (store.driver === 'postgres') {
    for (const table of ['ledger_entries', 'ledger_checkpoints']) {
      await sql`alter table ${sql.id(table)} disable trigger user`.execute(store.db);
    }
    return;
  }
  const { rows } = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'trigger' and tbl_name like 'ledger_%'`.execute(
    store.db,
  );
  for (const { name } of rows) await sql`drop trigger ${sql.id(name)}`.execute(store.db);
}

/** The ledger contract: the same tests on every store engine. */
export function runLedgerContract(makeHarness: () => Promise<LedgerHarness>): void {
  let harness: LedgerHarness;
  let store: Store;
  // Writers are shared by the tests (a worker takes a second to start from TypeScript sources).
  const s = {
    durable: newStream(),
    resumed: newStream(),
    a: newStream(),
    b: newStream(),
    witness: newStream(),
    tamper: Array.from({ length: 7 }, newStream),
  };
  let plain: LedgerWriter; // default options
  let batched: LedgerWriter; // small batches, a checkpoint per 1,000 entries
  let fine: LedgerWriter; // a checkpoint after every commit
  beforeAll(async () => {
    harness = await makeHarness();
    const config = await harness.config();
    store = await createStore(config);
    const open = (streams: string[], extra: Partial<LedgerWriterOptions> = {}) =>
      createLedgerWriter({ store: config, streams, key, origin: ORIGIN, ...extra });
    [plain, batched, fine] = await Promise.all([
      open([s.durable, s.resumed]),
      open([s.a, s.b], { batchSize: 256, checkpointEvery: { entries: 1000 } }),
      open([s.resumed, s.witness, ...s.tamper], { checkpointEvery: { entries: 1 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain, batched, fine].map((w) => w?.close()));
    await store?.close();
    await harness?.dispose();
  });

  it('gives durable entries contiguous seqs and stores the canonical JSON of stream, seq, time and entry', async () => {
    const stream = s.durable;
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => plain.appendDurable(stream, { i, who: 'alice' })),
    );
    expect(acks.map((a) => a.seq).sort((x, y) => x! - y!)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    const entries = await readEntries(store, stream, { fromSeq: 10, limit: 5 });
    expect(entries.map((e) => e.seq)).toEqual([10, 11, 12, 13, 14]);
    const e = entries[0]!;
    const body = JSON.parse(e.payload) as { i: number };
    expect(e.payload).toBe(
      canonicalJson({ stream, seq: 10, time: e.time, i: body.i, who: 'alice' }),
    );
    expect(plain.stats()).toMatchObject({ queued: 0, written: 50, dropped: 0, rejected: 0 });
    expect(plain.stats().batches).toBeLessThan(50); // group commit: the 50 shared transactions
    await plain.flush();
    expect(await verifyLedger(store, stream, { publicKey, origin: ORIGIN })).toEqual({
      ok: true,
      entries: 50,
      checkpoints: 1,
      signedSize: 50,
    });
  });

  it('writes async batches on two streams, signs checkpoints, and proves inclusion and consistency', async () => {
    const { a, b } = s;
    for (let i = 0; i < 3000; i++) batched.append(i % 3 === 0 ? b : a, { i });
    await batched.flush();
    expect(batched.stats()).toMatchObject({ queued: 0, written: 3000 });
    const checkpoint = await getCheckpoint(store, a);
    expect(checkpoint?.treeSize).toBe(2000);
    const signed = parseCheckpoint(parseNote(checkpoint!.note).text);
    expect(signed.origin).toBe(`${ORIGIN}/${a}`);
    const hex = (h: string) => Buffer.from(h, 'hex');
    for (const seq of [0, 1, 777, 1999]) {
      const p = await proveInclusion(store, a, seq);
      expect(verifyInclusion(hex(p.leafHash), seq, 2000, p.proof.map(hex), signed.root)).toBe(true);
    }
    // The old root is recomputed here from the payloads, not taken from the ledger.
    const first700 = await readEntries(store, a, { limit: 700 });
    const oldRoot = merkleRoot(first700.map((e) => hashLeaf(e.payload)));
    const c = await proveConsistency(store, a, 700, 2000);
    expect(verifyConsistency(700, 2000, oldRoot, signed.root, c.proof.map(hex))).toBe(true);
    expect(verifyConsistency(700, 2000, hashLeaf('x'), signed.root, c.proof.map(hex))).toBe(false);
    for (const stream of [a, b])
      expect((await verifyLedger(store, stream, { publicKey })).ok).toBe(true);
    await batched.close();
    expect(() => batched.append(a, {})).toThrowError(
      expect.objectContaining({ code: 'LEDGER_WRITER_CLOSED' }),
    );
  });

  it('continues the tree where another writer left it, even between two live writers', async () => {
    const stream = s.resumed;
    for (let i = 0; i < 37; i++) fine.append(stream, { i });
    await fine.flush();
    expect(await plain.appendDurable(stream, { i: 37 })).toEqual({ seq: 37 });
    expect(await fine.appendDurable(stream, { i: 38 })).toEqual({ seq: 38 });
    await plain.flush();
    const result = await verifyLedger(store, stream, { publicKey: exportPublicKey(key).pem });
    expect(result).toMatchObject({ ok: true, entries: 39, signedSize: 39 });
  });

  it('exports only new checkpoints to a witness file', async () => {
    const stream = s.witness;
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-witness-'));
    try {
      const file = join(dir, 'witness.txt');
      await fine.appendDurable(stream, { n: 1 });
      await fine.appendDurable(stream, { n: 2 });
      expect(await exportCheckpoints(store, stream, file)).toEqual({ appended: 2, treeSize: 2 });
      expect(await exportCheckpoints(store, stream, file)).toEqual({ appended: 0, treeSize: 2 });
      await fine.appendDurable(stream, { n: 3 });
      expect(await exportCheckpoints(store, stream, file)).toEqual({ appended: 1, treeSize: 3 });
      expect((await readFile(file, 'utf8')).split('\u2014 aisoc.test/ledger ').length).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const tamperStreams = [...s.tamper];
  describeTampering(() => ({ store, writer: fine, stream: tamperStreams.shift()! }));
}

type Ctx = () => { store: Store; writer: LedgerWriter; stream: string };

function describeTampering(ctx: Ctx): void {
  // A ledger of 10 entries with a checkpoint after each, so a root names its entry exactly.
  async function ledger(): Promise<{ stream: string; store: Store }> {
    const { store, writer, stream } = ctx();
    for (let i = 0; i < 10; i++) await writer.appendDurable(stream, { i, action: `act-${i}` });
    expect((await verifyLedger(store, stream, { publicKey })).ok).toBe(true);
    await disableAppendOnly(store);
    return { stream, store };
  }
  const entry = (store: Store, stream: string, seq: number) =>
    store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();

  it('names a changed entry', async () => {
    const { store, stream } = await ledger();
    const row = await entry(store, stream, 4);
    await store.db
      .updateTable('ledger_entries')
      .set({ payload: row.payload.replace('act-4', 'act-X') })
      .where('stream', '=', stream)
      .where('seq', '=', 4)
      .execute();
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 4,
      reason: 'stored leaf hash does not match the payload of entry 4',
    });
  });

  it('names a changed entry whose leaf hash was recomputed too', async () => {
    const { store, stream } = await ledger();
    const row = await entry(store, stream, 6);
    const payload = row.payload.replace('act-6', 'act-X');
    await store.db
      .updateTable('ledger_entries')
      .set({ payload, leaf_hash: hashLeaf(payload).toString('hex') })
      .where('stream', '=', stream)
      .where('seq', '=', 6)
      .execute();
    const result = await verifyLedger(store, stream, { publicKey });
    expect(result).toMatchObject({
      ok: false,
      firstBad: { seq: 6, reason: 'entries before 7 do not hash to the root signed at size 7' },
    });
  });

  it('names a deleted entry', async () => {
    const { store, stream } = await ledger();
    await store.db
      .deleteFrom('ledger_entries')
      .where('stream', '=', stream)
      .where('seq', '=', 3)
      .execute();
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 3,
      reason: 'entry 3 is missing (the next stored entry is 4)',
    });
  });

  it('names the first of two swapped entries', async () => {
    const { store, stream } = await ledger();
    const [two, five] = [await entry(store, stream, 2), await entry(store, stream, 5)];
    for (const [seq, from] of [
      [2, five],
      [5, two],
    ] as const) {
      await store.db
        .updateTable('ledger_entries')
        .set({ payload: from.payload, leaf_hash: from.leaf_hash, time: from.time })
        .where('stream', '=', stream)
        .where('seq', '=', seq)
        .execute();
    }
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 2,
      reason: 'entry 2 holds the payload of entry 5',
    });
  });

  it('names an inserted entry', async () => {
    const { store, stream } = await ledger();
    // Make room at seq 3 by moving the tail up, then insert a well-formed forged entry there.
    for (let seq = 9; seq >= 3; seq--) {
      await store.db
        .updateTable('ledger_entries')
        .set({ seq: seq + 1 })
        .where('stream', '=', stream)
        .where('seq', '=', seq)
        .execute();
    }
    const time = new Date().toISOString();
    const payload = canonicalJson({ stream, seq: 3, time, i: 99, action: 'forged' });
    await store.db
      .insertInto('ledger_entries')
      .values({ stream, seq: 3, time, payload, leaf_hash: hashLeaf(payload).toString('hex') })
      .execute();
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 3,
      reason: 'entries before 4 do not hash to the root signed at size 4',
    });
  });

  it('names where truncated entries begin', async () => {
    const { store, stream } = await ledger();
    await store.db
      .deleteFrom('ledger_entries')
      .where('stream', '=', stream)
      .where('seq', '>=', 8)
      .execute();
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 8,
      reason: 'a checkpoint covers 9 entries but entry 8 is missing',
    });
  });

  it('refuses a forged checkpoint', async () => {
    const { store, stream } = await ledger();
    const other = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
    const cp = await store.db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('stream', '=', stream)
      .where('tree_size', '=', 5)
      .executeTakeFirstOrThrow();
    const forged = signCheckpoint(parseCheckpoint(parseNote(cp.note).text), other);
    await store.db
      .updateTable('ledger_checkpoints')
      .set({ note: forged })
      .where('stream', '=', stream)
      .where('tree_size', '=', 5)
      .execute();
    expect((await verifyLedger(store, stream, { publicKey })).firstBad).toEqual({
      seq: 4,
      reason: 'checkpoint at size 5 is not signed by the ledger key',
    });
  });
}
