import type { Kysely } from 'kysely';

/** Training runs that fine-tune a model version: the run's base models (issue 20, lineage). */
export async function migrateBaseModels(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_run_base_models')
    .addColumn('run_id', 'text', (c) => c.notNull().references('registry_training_runs.id'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('registry_model_versions.id'))
    .addPrimaryKeyConstraint('registry_run_base_models_pk', ['run_id', 'version_id'])
    .execute();
  await db.schema
    .createIndex('registry_run_base_models_version_id_idx')
    .on('registry_run_base_models')
    .column('version_id')
    .execute();
}
