import { sql, type Kysely } from 'kysely';
import type { StoreDriver } from './migrations.js';

// Migration 0004: validation results of model versions (the gate before deploy). Frozen like
// the others; append-only like every registry table (a result is evidence).
export async function migrateValidations(db: Kysely<unknown>, driver: StoreDriver): Promise<void> {
  await db.schema
    .createTable('registry_validations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version_id', 'text', (c) => c.notNull().references('registry_model_versions.id'))
    .addColumn('against_version_id', 'text', (c) =>
      c.notNull().references('registry_model_versions.id'),
    )
    .addColumn('snapshot_id', 'text', (c) =>
      c.notNull().references('registry_dataset_snapshots.id'),
    )
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('registry_validations_version_idx')
    .on('registry_validations')
    .columns(['version_id', 'at'])
    .execute();
  const table = 'registry_validations';
  if (driver === 'postgres') {
    await sql`create trigger ${sql.id(`${table}_refuse_change`)}
      before update or delete on ${sql.id(table)}
      for each row execute function aisoc_refuse_ledger_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_refuse_truncate`)}
      before truncate on ${sql.id(table)}
      for each statement execute function aisoc_refuse_ledger_change()`.execute(db);
    return;
  }
  for (const op of ['UPDATE', 'DELETE'] as const) {
    const name = sql.id(`${table}_refuse_${op.toLowerCase()}`);
    const message = sql.lit(`${table} is append-only (${op} refused)`);
    await sql`create trigger ${name} before ${sql.raw(op)} on ${sql.id(table)}
      begin select raise(abort, ${message}); end`.execute(db);
  }
}
