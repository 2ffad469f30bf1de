import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import {
  exportCheckpoints,
  merkleRoot,
  readEntries,
  signCheckpoint,
  splitWitnessFile,
  verifyLedger,
  type LedgerKey,
  type LedgerWriter,
  type VerifyLedgerOptions,
} from './index.js';
import { openKnownLeaves } from './known-leaves.js';
import { keyFromPrivate } from './ledger-key.js';
import { hashLeaf } from './merkle-hash.js';
import { disableAppendOnly } from './ledger-tamper.contract.js';

// Tampering by someone who can also delete checkpoints, truncate, swap the signing key or
// re-sign with it: caught by what the database's owner cannot rewrite (a pinned public key,
// checkpoints kept by a witness, leaf hashes an auditor verified before).

export type TrustCtx = () => { store: Store; writer: LedgerWriter; stream: string };

/** `ctx` gives a writer that signs a checkpoint once 50 entries are uncovered; `key` is its key. */
export function describeTrustTampering(ctx: TrustCtx, key: LedgerKey, origin: string): void {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const publicKey = key.verifierKey;

  /** 200 entries, checkpoints at 120 and 200, both exported to a witness file, leaves kept. */
  async function witnessed() {
    const { store, writer, stream } = ctx();
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-trust-'));
    dirs.push(dir);
    const file = join(dir, 'witness.txt');
    const commit = (from: number, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          writer.appendDurable(stream, { i: from + i, action: `act-${from + i}` }),
        ),
      );
    await commit(0, 120); // one transaction: one checkpoint at 120
    await exportCheckpoints(store, stream, file);
    await commit(120, 80);
    await writer.flush();
    await exportCheckpoints(store, stream, file);
    const witnesses = splitWitnessFile(await readFile(file, 'utf8'));
    const leavesFile = join(dir, `${stream}.leaves`);
    const verify = async (extra: Partial<VerifyLedgerOptions> = {}) => {
      const knownLeaves = extra.knownLeaves ?? (await openKnownLeaves(leavesFile));
      try {
        return await verifyLedger(store, stream, { publicKey, origin, ...extra, knownLeaves });
      } finally {
        await knownLeaves.close();
      }
    };
    expect(await verify({ witnesses })).toEqual({
      ok: true,
      entries: 200,
      checkpoints: 2,
      signedSize: 200,
      witnessed: 2,
    });
    await disableAppendOnly(store);
    const plain = (extra: Partial<VerifyLedgerOptions> = {}) =>
      verifyLedger(store, stream, { publicKey, ...extra });
    const exportAgain = () => exportCheckpoints(store, stream, file);
    return { store, stream, witnesses, verify, plain, exportAgain };
  }

  async function editEntry(store: Store, stream: string, seq: number): Promise<void> {
    const row = await store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    const payload = row.payload.replace(`act-${seq}`, 'act-X');
    await store.db
      .updateTable('ledger_entries')
      .set({ payload, leaf_hash: hashLeaf(payload).toString('hex') })
      .where('stream', '=', stream)
      .where('seq', '=', seq)
      .execute();
  }

  /** Recomputes every checkpoint's root from the stored entries and signs it with `signer`. */
  async function resign(store: Store, stream: string, signer: LedgerKey): Promise<void> {
    const leaves = (await readEntries(store, stream, { limit: 100_000 })).map((e) =>
      hashLeaf(e.payload),
    );
    const rows = await store.db
      .selectFrom('ledger_checkpoints')
      .select('tree_size')
      .where('stream', '=', stream)
      .execute();
    for (const { tree_size } of rows) {
      const size = Number(tree_size);
      const root = merkleRoot(leaves.slice(0, size));
      const note = signCheckpoint({ origin: `${origin}/${stream}`, size, root }, signer);
      await store.db
        .updateTable('ledger_checkpoints')
        .set({ note, root_hash: root.toString('hex') })
        .where('stream', '=', stream)
        .where('tree_size', '=', size)
        .execute();
    }
  }

  it('fails a stream whose checkpoints were all deleted (unsigned entries)', async () => {
    const { store, stream, plain } = await witnessed();
    await store.db.deleteFrom('ledger_checkpoints').where('stream', '=', stream).execute();
    expect(await plain()).toMatchObject({
      ok: false,
      code: 'LEDGER_UNSIGNED_TAIL',
      firstBad: { seq: 0, reason: 'entries 0 to 199 are covered by no signed checkpoint' },
    });
    expect(await plain({ allowUnsignedTail: true })).toMatchObject({ ok: true, unsigned: 200 });
  });

  it('names the edited entry, not its checkpoint interval, against leaves verified before', async () => {
    const { store, stream, verify, plain } = await witnessed();
    await editEntry(store, stream, 100);
    // From the database alone the change can only be placed in its checkpoint interval ...
    expect(await plain()).toMatchObject({
      code: 'LEDGER_CHAIN_BROKEN',
      firstBad: { seq: 0, reason: 'entries before 120 do not hash to the root signed at size 120' },
    });
    // ... the auditor's kept leaf hashes name it.
    expect(await verify()).toMatchObject({
      ok: false,
      code: 'LEDGER_CHAIN_BROKEN',
      firstBad: {
        seq: 100,
        reason: 'entry 100 differs from the leaf hash verified on an earlier run',
      },
    });
  });

  it('catches a tail truncated together with its checkpoints, by the witness file', async () => {
    const { store, stream, witnesses, plain, exportAgain } = await witnessed();
    await store.db
      .deleteFrom('ledger_entries')
      .where('stream', '=', stream)
      .where('seq', '>=', 120)
      .execute();
    await store.db
      .deleteFrom('ledger_checkpoints')
      .where('stream', '=', stream)
      .where('tree_size', '>', 120)
      .execute();
    expect((await plain()).ok).toBe(true); // the database alone looks whole
    expect(await plain({ witnesses })).toMatchObject({
      ok: false,
      code: 'LEDGER_TRUNCATED',
      firstBad: {
        seq: 120,
        reason: 'a witnessed checkpoint covers 200 entries but the stream has 120',
      },
    });
    await expect(exportAgain()).rejects.toMatchObject({ code: 'LEDGER_TRUNCATED' });
  });

  it('catches a swapped signing key that re-signed everything, by the pinned key and the witness', async () => {
    const { store, stream, witnesses, plain } = await witnessed();
    const swapped = keyFromPrivate(key.name, generateKeyPairSync('ed25519').privateKey);
    await editEntry(store, stream, 150);
    await resign(store, stream, swapped);
    expect((await plain({ publicKey: swapped.verifierKey })).ok).toBe(true);
    expect(await plain()).toMatchObject({
      ok: false,
      code: 'LEDGER_KEY_MISMATCH',
      firstBad: { seq: 0, reason: 'checkpoint at size 120 is not signed by the ledger key' },
    });
    expect(await plain({ publicKey: swapped.verifierKey, witnesses })).toMatchObject({
      ok: false,
      code: 'LEDGER_KEY_MISMATCH',
      firstBad: {
        seq: 120,
        reason: 'the witnessed checkpoint at size 120 is not signed by the ledger key',
      },
    });
  });

  it('catches an edit re-signed with the original key, by witness consistency', async () => {
    const { store, stream, witnesses, verify, plain, exportAgain } = await witnessed();
    await editEntry(store, stream, 130);
    await resign(store, stream, key);
    expect((await plain()).ok).toBe(true); // the key holder can rewrite what only it signed
    expect(await plain({ witnesses })).toMatchObject({
      ok: false,
      code: 'LEDGER_WITNESS_MISMATCH',
      firstBad: {
        seq: 120,
        reason: 'entries before 200 do not hash to the root witnessed at size 200',
      },
    });
    expect(await verify({ witnesses })).toMatchObject({
      code: 'LEDGER_CHAIN_BROKEN',
      firstBad: { seq: 130 },
    });
    await expect(exportAgain()).rejects.toMatchObject({ code: 'LEDGER_WITNESS_MISMATCH' });
  });
}
