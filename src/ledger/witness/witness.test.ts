import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../store/index.js';
import {
  addCheckpoint,
  createLedgerWriter,
  createWitness,
  createWitnessPusher,
  fetchWitnessCheckpoints,
  formatCosignerKey,
  parseCosignerKey,
  verifyCosignature,
  getCheckpoint,
  merkleRoot,
  openNote,
  parseNote,
  readEntries,
  serveWitness,
  signCheckpoint,
  verifyLedger,
  type LedgerWriter,
  type WitnessServer,
} from '../index.js';
import { keyFromPrivate } from '../ledger-key.js';
import { hashLeaf } from '../merkle-hash.js';
import { disableAppendOnly } from '../ledger-tamper.contract.js';

const logKey = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
const witnessKey = keyFromPrivate('witness.test', generateKeyPairSync('ed25519').privateKey);
const ORIGIN = 'aisoc.test';
// The cosigner key `aisoc ledger witness` prints (type 0x04); the second pusher below is
// configured with the signed-note vkey (0x01) of the same key, as earlier configs hold it.
const witnessVkey = formatCosignerKey(witnessKey.name, witnessKey.publicKey);

describe('the witness, over HTTP, with the pusher', () => {
  let dir: string;
  let store: Store;
  let writer: LedgerWriter;
  let server: WitnessServer;
  const statePath = () => join(dir, 'witness.json');
  const startWitness = async () =>
    serveWitness(
      await createWitness({
        key: witnessKey,
        logs: [{ origin: ORIGIN, publicKey: logKey.verifierKey }],
        statePath: statePath(),
      }),
      { host: '127.0.0.1', port: 0 },
    );
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-witness-'));
    const config = { driver: 'sqlite' as const, path: join(dir, 'ledger.db') };
    store = await createStore(config);
    await store.migrate();
    writer = await createLedgerWriter({
      store: config,
      streams: ['audit'],
      key: logKey,
      origin: ORIGIN,
      checkpointEvery: { entries: 1 },
    });
    server = await startWitness();
  });
  afterAll(async () => {
    await writer?.close();
    await server?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) await writer.appendDurable('audit', { i, action: `act-${i}` });
  };

  it('cosigns checkpoints it can prove consistent, and the pusher reports no lag', async () => {
    await append(5);
    const pusher = createWitnessPusher({
      store,
      streams: ['audit'],
      witnesses: [{ url: server.url, publicKey: witnessVkey }],
      intervalMs: 60_000,
    });
    try {
      await pusher.pushNow();
      expect(pusher.lag()).toEqual([
        {
          url: server.url,
          stream: 'audit',
          witnessedSize: 5,
          latestSize: 5,
          entriesBehind: 0,
          secondsBehind: 0,
        },
      ]);
      await append(7); // now the witness needs a consistency proof from 5 to 12
      await pusher.pushNow();
      expect(pusher.lag()[0]).toMatchObject({ witnessedSize: 12, entriesBehind: 0 });
    } finally {
      await pusher.close();
    }
    const [note] = await fetchWitnessCheckpoints(server.url, parseCosignerKey(witnessVkey));
    expect(parseNote(note!).text).toMatch(new RegExp(`^${ORIGIN}/audit\n12\n`));
    expect(verifyCosignature(note!, parseCosignerKey(witnessVkey))).toMatchObject({
      name: 'witness.test',
      version: 'v1',
    });
    expect(openNote(note!, logKey)).not.toBeNull();
    // A key that did not cosign: the witness's checkpoints do not count.
    const stranger = keyFromPrivate('witness.test', generateKeyPairSync('ed25519').privateKey);
    await expect(
      fetchWitnessCheckpoints(server.url, parseCosignerKey(stranger.verifierKey)),
    ).rejects.toThrow(/LEDGER_WITNESS_UNTRUSTED|no valid cosignature/);
    const state = JSON.parse(await readFile(statePath(), 'utf8')) as { origins: object };
    expect(Object.keys(state.origins)).toEqual([`${ORIGIN}/audit`]);
  });

  it('answers 409 with its size to a wrong old size, 403 to an unpinned key, 400 to garbage', async () => {
    const latest = (await getCheckpoint(store, 'audit'))!;
    expect(await addCheckpoint(server.url, 3, [], latest.note)).toEqual({
      t: 'conflict',
      size: 12,
    });
    const other = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
    const forged = signCheckpoint(
      { origin: `${ORIGIN}/audit`, size: 13, root: Buffer.alloc(32) },
      other,
    );
    expect(await addCheckpoint(server.url, 12, [], forged)).toMatchObject({
      t: 'refused',
      status: 403,
      message: expect.stringContaining('LEDGER_WITNESS_UNTRUSTED'),
    });
    const res = await fetch(`${server.url}/add-checkpoint`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'LEDGER_NOTE_INVALID' });
  });

  it('refuses a rewritten log re-signed with the right key; the pusher reports the lag; verify fails', async () => {
    // The state survives a restart of the witness.
    await server.close();
    server = await startWitness();
    await disableAppendOnly(store);
    const row = await store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', 'audit')
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    const payload = row.payload.replace('act-3', 'act-X');
    await store.db
      .updateTable('ledger_entries')
      .set({ payload, leaf_hash: hashLeaf(payload).toString('hex') })
      .where('stream', '=', 'audit')
      .where('seq', '=', 3)
      .execute();
    await append(1); // size 13, its checkpoint computed over the edited entry
    const leaves = (await readEntries(store, 'audit', { limit: 100 })).map((e) =>
      hashLeaf(e.payload),
    );
    const rows = await store.db
      .selectFrom('ledger_checkpoints')
      .select('tree_size')
      .where('stream', '=', 'audit')
      .execute();
    for (const { tree_size } of rows) {
      const size = Number(tree_size);
      const root = merkleRoot(leaves.slice(0, size));
      await store.db
        .updateTable('ledger_checkpoints')
        .set({
          note: signCheckpoint({ origin: `${ORIGIN}/audit`, size, root }, logKey),
          root_hash: root.toString('hex'),
        })
        .where('stream', '=', 'audit')
        .where('tree_size', '=', size)
        .execute();
    }
    const publicKey = logKey.verifierKey;
    expect((await verifyLedger(store, 'audit', { publicKey })).ok).toBe(true);
    const pusher = createWitnessPusher({
      store,
      streams: ['audit'],
      witnesses: [{ url: server.url, publicKey: witnessKey.verifierKey }],
      intervalMs: 60_000,
    });
    try {
      await pusher.pushNow();
      expect(pusher.lag()[0]).toMatchObject({
        witnessedSize: 12,
        latestSize: 13,
        entriesBehind: 1,
        lastError: expect.stringContaining('HTTP 422'),
      });
    } finally {
      await pusher.close();
    }
    const witnesses = await fetchWitnessCheckpoints(server.url);
    expect(await verifyLedger(store, 'audit', { publicKey, witnesses })).toMatchObject({
      ok: false,
      code: 'LEDGER_WITNESS_MISMATCH',
      firstBad: {
        seq: 0,
        reason: 'entries before 12 do not hash to the root witnessed at size 12',
      },
    });
  });
});
