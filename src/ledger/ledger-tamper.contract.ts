import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { canonicalJson } from '../core/index.js';
import type { Store } from '../store/index.js';
import {
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  verifyLedger,
  type LedgerWriter,
} from './index.js';
import { keyFromPrivate } from './ledger-key.js';
import { hashLeaf } from './merkle-hash.js';

// Tampering as an attacker with database access would do it; verifyLedger must name the
// first bad entry. Shared by the SQLite and PostgreSQL runs of the ledger contract.

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

export type Ctx = () => { store: Store; writer: LedgerWriter; stream: string };

/** Tamper tests; `ctx` gives a writer that signs a checkpoint after every commit. */
export function describeTampering(ctx: Ctx, publicKey: string): void {
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
