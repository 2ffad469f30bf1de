import { sql, type Kysely } from 'kysely';
import type { StoreDriver } from './migrations.js';

// Migration 0014: verifiable pruning of ledger payloads (issue 19, retention). A prune is a
// row in `ledger_prunes` (append-only); the one UPDATE the ledger_entries trigger then lets
// through replaces the payload of an entry inside a recorded range with the pruned marker
// (`{"pruned":true,…}`), keeping stream, seq, time and leaf_hash, so the Merkle tree and every
// checkpoint stay provable. DELETE stays refused. Frozen like every migration.

const REFUSE = 'ledger_entries is append-only (UPDATE refused)';

// The only change allowed: an un-pruned payload becomes a marker, inside a recorded range.
const PRUNE_ONLY = `new.stream = old.stream and new.seq = old.seq and new.time = old.time
  and new.leaf_hash = old.leaf_hash
  and new.payload like '{"pruned":true,%' and old.payload not like '{"pruned":true,%'
  and exists (select 1 from ledger_prunes p where p.stream = old.stream
    and old.seq >= p.from_seq and old.seq < p.to_seq)`;

/** Migration `0014_ledger_pruning`. */
export async function migrateLedgerPruning(db: Kysely<unknown>, driver: StoreDriver) {
  await db.schema
    .createTable('ledger_prunes')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('from_seq', 'bigint', (c) => c.notNull().check(sql`from_seq >= 0`))
    .addColumn('to_seq', 'bigint', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull()) // entries older than this were pruned
    .addColumn('pruned_at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_prunes_pk', ['stream', 'to_seq'])
    .addCheckConstraint('ledger_prunes_range', sql`to_seq > from_seq`)
    .execute();
  if (driver === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE'] as const) {
      const message = sql.lit(`ledger_prunes is append-only (${op} refused)`);
      await sql`create trigger ${sql.id(`ledger_prunes_refuse_${op.toLowerCase()}`)}
        before ${sql.raw(op)} on ledger_prunes
        begin select raise(abort, ${message}); end`.execute(db);
    }
    await sql`drop trigger ledger_entries_refuse_update`.execute(db);
    await sql`create trigger ledger_entries_refuse_update before update on ledger_entries
      when not (${sql.raw(PRUNE_ONLY)})
      begin select raise(abort, ${sql.lit(REFUSE)}); end`.execute(db);
    return;
  }
  await sql`create trigger ledger_prunes_refuse_change before update or delete on ledger_prunes
    for each row execute function aisoc_refuse_ledger_change()`.execute(db);
  await sql`create trigger ledger_prunes_refuse_truncate before truncate on ledger_prunes
    for each statement execute function aisoc_refuse_ledger_change()`.execute(db);
  await sql`drop trigger ledger_entries_refuse_change on ledger_entries`.execute(db);
  await sql`create trigger ledger_entries_refuse_delete before delete on ledger_entries
    for each row execute function aisoc_refuse_ledger_change()`.execute(db);
  await sql`create or replace function aisoc_ledger_prune_only() returns trigger
    language plpgsql as $$
    begin
      if ${sql.raw(PRUNE_ONLY)} then
        return new;
      end if;
      raise exception '% is append-only (% refused)', tg_table_name, tg_op;
    end $$`.execute(db);
  await sql`create trigger ledger_entries_prune_only before update on ledger_entries
    for each row execute function aisoc_ledger_prune_only()`.execute(db);
}
