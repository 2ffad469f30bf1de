import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson } from '../core/index.js';
import { createStore, type Store, type StoreConfig } from '../store/index.js';
import { hashLeaf } from './merkle-hash.js';
import { describeTampering, disableAppendOnly } from './ledger-tamper.contract.js';
import { describeTrustTampering } from './ledger-trust.contract.js';
import { describePruning } from './ledger-prune.contract.js';
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
    tail: newStream(),
    tamper: Array.from({ length: 7 }, newStream),
    prune: Array.from({ length: 7 }, newStream),
    trust: Array.from({ length: 5 }, newStream),
  };
  let plain: LedgerWriter; // default options
  let batched: LedgerWriter; // small batches, a checkpoint per 1,000 entries
  let fine: LedgerWriter; // a checkpoint after every commit
  let sparse: LedgerWriter; // a checkpoint once 50 entries are uncovered
  beforeAll(async () => {
    harness = await makeHarness();
    const config = await harness.config();
    store = await createStore(config);
    const open = (streams: string[], extra: Partial<LedgerWriterOptions> = {}) =>
      createLedgerWriter({ store: config, streams, key, origin: ORIGIN, ...extra });
    [plain, batched, fine, sparse] = await Promise.all([
      open([s.durable, s.resumed, s.tail]),
      open([s.a, s.b], { batchSize: 256, checkpointEvery: { entries: 1000 } }),
      open([s.resumed, s.witness, ...s.tamper, ...s.prune], { checkpointEvery: { entries: 1 } }),
      open(s.trust, { checkpointEvery: { entries: 50, ms: 3_600_000 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain, batched, fine, sparse].map((w) => w?.close()));
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
    for (const stream of [a, b]) {
      expect((await verifyLedger(store, stream, { publicKey })).ok).toBe(true);
      expect(await verifyLedger(store, stream, { publicKey, full: true })).toMatchObject({
        ok: true,
        entries: stream === a ? 2000 : 1000,
      });
    }
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

  it('names swapped entries that no checkpoint covers yet', async () => {
    for (let i = 0; i < 8; i++) await plain.appendDurable(s.tail, { i });
    await disableAppendOnly(store);
    const row = (seq: number) =>
      store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('stream', '=', s.tail)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
    const [two, five] = [await row(2), await row(5)];
    for (const [seq, from] of [
      [2, five],
      [5, two],
    ] as const) {
      await store.db
        .updateTable('ledger_entries')
        .set({ payload: from.payload, leaf_hash: from.leaf_hash, time: from.time })
        .where('stream', '=', s.tail)
        .where('seq', '=', seq)
        .execute();
    }
    expect((await verifyLedger(store, s.tail, { publicKey })).firstBad).toEqual({
      seq: 2,
      reason: 'entry 2 holds the payload of entry 5',
    });
  });

  const tamperStreams = [...s.tamper];
  const pruneStreams = [...s.prune];
  describePruning(() => ({ store, writer: fine, stream: pruneStreams.shift()! }), publicKey);
  describeTampering(() => ({ store, writer: fine, stream: tamperStreams.shift()! }), publicKey);
  const trustStreams = [...s.trust];
  describeTrustTampering(
    () => ({ store, writer: sparse, stream: trustStreams.shift()! }),
    key,
    ORIGIN,
  );
}
