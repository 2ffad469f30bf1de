import { sql, type Kysely } from 'kysely';
import type { StoreDriver } from './migrations.js';

// Migration 0002: the provenance registry (models, versions, datasets, snapshots, training
// runs, state changes, deployments). Frozen like 0001: plain SQL types, no table interfaces.
// Every table is append-only: a registry is evidence, corrections are new rows.

export const REGISTRY_TABLES = [
  'registry_models',
  'registry_model_versions',
  'registry_datasets',
  'registry_dataset_snapshots',
  'registry_training_runs',
  'registry_run_inputs',
  'registry_run_outputs',
  'registry_state_changes',
  'registry_deployments',
  'registry_fingerprints',
] as const;

async function createAssetTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('data_classification', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull().references('registry_models.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('manifest_digest', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('upstream', 'text')
    .addColumn('signature', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('registry_model_versions_name_uq', ['model_id', 'version'])
    .execute();
  await db.schema
    .createTable('registry_datasets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('data_classification', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_dataset_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('registry_datasets.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('manifest_digest', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull().check(sql`row_count >= 0`))
    .addColumn('data_schema', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('registry_dataset_snapshots_label_uq', ['dataset_id', 'label'])
    .execute();
}

async function createHistoryTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_training_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code_revision', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  for (const [table, column, target] of [
    ['registry_run_inputs', 'snapshot_id', 'registry_dataset_snapshots.id'],
    ['registry_run_outputs', 'version_id', 'registry_model_versions.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('run_id', 'text', (c) => c.notNull().references('registry_training_runs.id'))
      .addColumn(column, 'text', (c) => c.notNull().references(target))
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_id', column])
      .execute();
    await db.schema.createIndex(`${table}_${column}_idx`).on(table).column(column).execute();
  }
  await db.schema
    .createTable('registry_state_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('registry_state_changes_subject_idx')
    .on('registry_state_changes')
    .columns(['subject_id', 'at'])
    .execute();
  await db.schema
    .createTable('registry_deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('model_id', 'text', (c) => c.notNull().references('registry_models.id'))
    .addColumn('version_id', 'text', (c) => c.references('registry_model_versions.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_fingerprints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version_id', 'text', (c) => c.notNull().references('registry_model_versions.id'))
    .addColumn('probes', 'text', (c) => c.notNull())
    .addColumn('tolerance', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('registry_deployments_endpoint_idx')
    .on('registry_deployments')
    .columns(['endpoint', 'at'])
    .execute();
}

// Same refusal text as 0001's ledger triggers, so toStoreError maps it to STORE_APPEND_ONLY.
async function appendOnlyTriggers(db: Kysely<unknown>, driver: StoreDriver): Promise<void> {
  for (const table of REGISTRY_TABLES) {
    if (driver === 'postgres') {
      // aisoc_refuse_ledger_change() (0001) names tg_table_name, so it fits any table.
      await sql`create trigger ${sql.id(`${table}_refuse_change`)}
        before update or delete on ${sql.id(table)}
        for each row execute function aisoc_refuse_ledger_change()`.execute(db);
      await sql`create trigger ${sql.id(`${table}_refuse_truncate`)}
        before truncate on ${sql.id(table)}
        for each statement execute function aisoc_refuse_ledger_change()`.execute(db);
      continue;
    }
    for (const op of ['UPDATE', 'DELETE'] as const) {
      const name = sql.id(`${table}_refuse_${op.toLowerCase()}`);
      const message = sql.lit(`${table} is append-only (${op} refused)`);
      await sql`create trigger ${name} before ${sql.raw(op)} on ${sql.id(table)}
        begin select raise(abort, ${message}); end`.execute(db);
    }
  }
}

/** Creates the registry tables and their append-only triggers. */
export async function migrateRegistry(db: Kysely<unknown>, driver: StoreDriver): Promise<void> {
  await createAssetTables(db);
  await createHistoryTables(db);
  await appendOnlyTriggers(db, driver);
}
