import { describe, expect, it } from 'vitest';
import { createId } from '../core/index.js';
import { HOSTILE_STRINGS } from './repositories.contract.js';
import { expectStoreError, type ContractContext } from './store.contract.js';

function entry(stream: string, seq: number, payload = `{"seq":${seq}}`) {
  return { stream, seq, time: '2026-01-02T03:04:05.000Z', leaf_hash: `h${seq}`, payload };
}

function checkpoint(stream: string, treeSize: number) {
  return {
    stream,
    tree_size: treeSize,
    root_hash: 'r',
    time: '2026-01-02T03:04:05.000Z',
    note: 'n',
  };
}

function refusalCases(ctx: ContractContext): void {
  it('refuses UPDATE and DELETE on ledger_entries as STORE_APPEND_ONLY and keeps the row', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db.insertInto('ledger_entries').values(entry(stream, 0)).execute();
    const update = db
      .updateTable('ledger_entries')
      .set({ payload: 'forged' })
      .where('stream', '=', stream);
    const error = await expectStoreError(update.execute(), 'STORE_APPEND_ONLY');
    expect(error.details).toMatchObject({ table: 'ledger_entries' });
    expect(error.message).toContain('ledger_entries is append-only');
    await expectStoreError(
      db.deleteFrom('ledger_entries').where('stream', '=', stream).execute(),
      'STORE_APPEND_ONLY',
    );
    await expectStoreError(db.deleteFrom('ledger_entries').execute(), 'STORE_APPEND_ONLY');
    const rows = await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .execute();
    expect(rows).toEqual([entry(stream, 0)]);
  });

  it('lets ledger_entries change only by a recorded prune: payload to the pruned marker, nothing else', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db
      .insertInto('ledger_entries')
      .values([0, 1, 2].map((seq) => entry(stream, seq)))
      .execute();
    const marker = (seq: number) =>
      `{"pruned":true,"seq":${seq},"stream":"${stream}","time":"2026-01-02T03:04:05.000Z"}`;
    const update = (seq: number, set: { payload?: string; leaf_hash?: string }) =>
      db
        .updateTable('ledger_entries')
        .set(set)
        .where('stream', '=', stream)
        .where('seq', '=', seq)
        .execute();
    await expectStoreError(update(0, { payload: marker(0) }), 'STORE_APPEND_ONLY'); // no prune row
    await db
      .insertInto('ledger_prunes')
      .values({
        stream,
        from_seq: 0,
        to_seq: 2,
        before: '2026-02-01T00:00:00.000Z',
        pruned_at: '2026-03-01T00:00:00.000Z',
        actor: 'test',
        reason: 'retention',
      })
      .execute();
    await update(0, { payload: marker(0) });
    await expectStoreError(update(1, { payload: 'forged' }), 'STORE_APPEND_ONLY');
    await expectStoreError(update(1, { leaf_hash: 'forged' }), 'STORE_APPEND_ONLY');
    await expectStoreError(update(0, { payload: `${marker(0)} ` }), 'STORE_APPEND_ONLY'); // twice
    await expectStoreError(update(2, { payload: marker(2) }), 'STORE_APPEND_ONLY'); // outside
    await expectStoreError(
      db.deleteFrom('ledger_entries').where('stream', '=', stream).execute(),
      'STORE_APPEND_ONLY',
    );
    await expectStoreError(
      db.updateTable('ledger_prunes').set({ to_seq: 3 }).where('stream', '=', stream).execute(),
      'STORE_APPEND_ONLY',
    );
    await expectStoreError(
      db.deleteFrom('ledger_prunes').where('stream', '=', stream).execute(),
      'STORE_APPEND_ONLY',
    );
    const rows = await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      { ...entry(stream, 0), payload: marker(0) },
      entry(stream, 1),
      entry(stream, 2),
    ]);
  });

  it('refuses UPDATE and DELETE on ledger_checkpoints as STORE_APPEND_ONLY and keeps the row', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db.insertInto('ledger_checkpoints').values(checkpoint(stream, 1)).execute();
    const update = db
      .updateTable('ledger_checkpoints')
      .set({ root_hash: 'forged' })
      .where('stream', '=', stream);
    const error = await expectStoreError(update.execute(), 'STORE_APPEND_ONLY');
    expect(error.details).toMatchObject({ table: 'ledger_checkpoints' });
    await expectStoreError(
      db.deleteFrom('ledger_checkpoints').where('stream', '=', stream).execute(),
      'STORE_APPEND_ONLY',
    );
    const rows = await db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('stream', '=', stream)
      .execute();
    expect(rows).toEqual([checkpoint(stream, 1)]);
  });

  it('refuses an upsert that would overwrite an entry', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db.insertInto('ledger_entries').values(entry(stream, 0)).execute();
    const upsert = db
      .insertInto('ledger_entries')
      .values(entry(stream, 0, 'forged'))
      .onConflict((oc) => oc.columns(['stream', 'seq']).doUpdateSet({ payload: 'forged' }));
    await expectStoreError(upsert.execute(), 'STORE_APPEND_ONLY');
    const row = await db
      .selectFrom('ledger_entries')
      .select('payload')
      .where('stream', '=', stream)
      .executeTakeFirst();
    expect(row?.payload).toBe(entry(stream, 0).payload);
  });

  it('rolls back the whole transaction in which a trigger refused', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db.insertInto('ledger_entries').values(entry(stream, 0)).execute();
    const work = db.transaction().execute(async (trx) => {
      await trx.insertInto('ledger_entries').values(entry(stream, 1)).execute();
      await trx
        .deleteFrom('ledger_entries')
        .where('stream', '=', stream)
        .where('seq', '=', 0)
        .execute();
    });
    await expectStoreError(work, 'STORE_APPEND_ONLY');
    const seqs = await db
      .selectFrom('ledger_entries')
      .select('seq')
      .where('stream', '=', stream)
      .execute();
    expect(seqs).toEqual([{ seq: 0 }]);
  });

  it('refuses a second entry at the same position and a negative one as STORE_CONSTRAINT', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db.insertInto('ledger_entries').values(entry(stream, 0)).execute();
    await expectStoreError(
      db.insertInto('ledger_entries').values(entry(stream, 0)).execute(),
      'STORE_CONSTRAINT',
    );
    await expectStoreError(
      db.insertInto('ledger_entries').values(entry(stream, -1)).execute(),
      'STORE_CONSTRAINT',
    );
    await db.insertInto('ledger_checkpoints').values(checkpoint(stream, 1)).execute();
    await expectStoreError(
      db.insertInto('ledger_checkpoints').values(checkpoint(stream, 1)).execute(),
      'STORE_CONSTRAINT',
    );
  });
}

function ledgerTableCases(ctx: ContractContext): void {
  it('lets the writer move its head, which is not evidence', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    await db
      .insertInto('ledger_heads')
      .values({ stream, tree_size: 1, frontier: '["a"]', updated_at: 't1' })
      .execute();
    await db
      .updateTable('ledger_heads')
      .set({ tree_size: 2, frontier: '["b"]', updated_at: 't2' })
      .where('stream', '=', stream)
      .execute();
    const head = await db
      .selectFrom('ledger_heads')
      .selectAll()
      .where('stream', '=', stream)
      .executeTakeFirst();
    expect(head).toEqual({ stream, tree_size: 2, frontier: '["b"]', updated_at: 't2' });
  });

  it('returns 64-bit columns and counts as numbers', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    const big = 2 ** 40 + 7;
    await db.insertInto('ledger_entries').values(entry(stream, big)).execute();
    const row = await db
      .selectFrom('ledger_entries')
      .select('seq')
      .where('stream', '=', stream)
      .executeTakeFirstOrThrow();
    expect(row.seq).toBe(big);
    const { n } = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('stream', '=', stream)
      .executeTakeFirstOrThrow();
    expect(n).toBe(1);
  });

  it('keeps every entry of many concurrent batched appends', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => entry(stream, b * 50 + i)),
    );
    await Promise.all(
      batches.map((rows) =>
        db.transaction().execute((trx) => trx.insertInto('ledger_entries').values(rows).execute()),
      ),
    );
    const seqs = await db
      .selectFrom('ledger_entries')
      .select('seq')
      .where('stream', '=', stream)
      .orderBy('seq')
      .execute();
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('stores hostile payloads exactly as given', async () => {
    const db = ctx.store.db;
    const stream = createId('s');
    const rows = HOSTILE_STRINGS.map((s, i) => entry(stream, i, JSON.stringify({ s })));
    await db.insertInto('ledger_entries').values(rows).execute();
    const back = await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .orderBy('seq')
      .execute();
    expect(back).toEqual(rows);
  });
}

export function appendOnlyCases(ctx: ContractContext): void {
  describe('append-only ledger tables', () => refusalCases(ctx));
  describe('ledger tables', () => ledgerTableCases(ctx));
}
