import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createRespondTables } from './respond-migration.js';
import { createSuppressionTable } from './migration-0004-suppressions.js';
import { createPipelineFreezeTable } from './migration-0013-pipeline-freezes.js';
import { migrateRegistry } from './migration-0002-registry.js';
import { migrateBaseModels } from './migration-0004-base-models.js';
import { migrateValidations } from './migration-0005-validations.js';
import { createIdentityTables } from './identity-migration.js';
import { createForensicsTables } from './migration-0004-forensics.js';
import { createPrivacyTables } from './migration-0009-privacy.js';
import { migrateLedgerPruning } from './migration-0014-ledger-pruning.js';

export type StoreDriver = 'sqlite' | 'postgres';

// Migrations are frozen in time: they use no table types, only the SQL they ran with. They
// have no `down`: a ledger is evidence, and no migration of ours ever drops it.

const APPEND_ONLY_TABLES = ['ledger_entries', 'ledger_checkpoints'] as const;

async function createTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('models', 'text')
    .addColumn('rate_per_second', 'double precision')
    .addColumn('burst', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('policy_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('lifted_at', 'text')
    .addColumn('lifted_by', 'text')
    .execute();
  await db.schema
    .createIndex('policy_actions_target_idx')
    .on('policy_actions')
    .column('target')
    .execute();
  await createLedgerTables(db);
}

async function createLedgerTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_entries')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull().check(sql`seq >= 0`))
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_pk', ['stream', 'seq'])
    .execute();
  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull().check(sql`tree_size >= 0`))
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_checkpoints_pk', ['stream', 'tree_size'])
    .execute();
  await db.schema
    .createTable('ledger_heads')
    .addColumn('stream', 'text', (c) => c.primaryKey())
    .addColumn('tree_size', 'bigint', (c) => c.notNull().check(sql`tree_size >= 0`))
    .addColumn('frontier', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

// Both engines raise "<table> is append-only (<OP> refused)"; toStoreError keys on that text.
async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  for (const table of APPEND_ONLY_TABLES) {
    for (const op of ['UPDATE', 'DELETE'] as const) {
      const name = sql.id(`${table}_refuse_${op.toLowerCase()}`);
      const message = sql.lit(`${table} is append-only (${op} refused)`);
      await sql`create trigger ${name} before ${sql.raw(op)} on ${sql.id(table)}
        begin select raise(abort, ${message}); end`.execute(db);
    }
  }
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create or replace function aisoc_refuse_ledger_change() returns trigger
    language plpgsql as $$
    begin
      raise exception '% is append-only (% refused)', tg_table_name, tg_op;
    end $$`.execute(db);
  for (const table of APPEND_ONLY_TABLES) {
    // Row triggers do not fire on TRUNCATE, hence the statement trigger beside them.
    await sql`create trigger ${sql.id(`${table}_refuse_change`)}
      before update or delete on ${sql.id(table)}
      for each row execute function aisoc_refuse_ledger_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_refuse_truncate`)}
      before truncate on ${sql.id(table)}
      for each statement execute function aisoc_refuse_ledger_change()`.execute(db);
  }
}

/** Every migration, by name; names sort in the order they run. */
export function createMigrations(driver: StoreDriver): Record<string, Migration> {
  return {
    '0001_initial': {
      up: async (db: Kysely<unknown>) => {
        await createTables(db);
        await (driver === 'sqlite' ? sqliteTriggers(db) : postgresTriggers(db));
      },
    },
    '0002_registry': { up: (db: Kysely<unknown>) => migrateRegistry(db, driver) },
    '0003_respond': { up: createRespondTables },
    '0004_registry_base_models': { up: migrateBaseModels },
    '0005_registry_validations': { up: (db: Kysely<unknown>) => migrateValidations(db, driver) },
    '0006_identities': { up: createIdentityTables },
    '0007_forensics': { up: createForensicsTables },
    '0008_suppressions': { up: createSuppressionTable },
    '0009_privacy': { up: createPrivacyTables },
    '0013_pipeline_freezes': { up: createPipelineFreezeTable },
    '0014_ledger_pruning': { up: (db: Kysely<unknown>) => migrateLedgerPruning(db, driver) },
  };
}

/** The provider Kysely's Migrator reads: migrations live in code, not in files on disk. */
export function createMigrationProvider(driver: StoreDriver): MigrationProvider {
  const migrations = createMigrations(driver);
  return { getMigrations: () => Promise.resolve(migrations) };
}
