import type { Kysely } from 'kysely';

// Migration 0013: training-pipeline freezes (respond writes them, the registry reads them to
// refuse new snapshots of a frozen dataset). Frozen like every migration: plain SQL types only.
// Rows are never deleted: a thaw sets `thawed_at`.

/** Migration `0013_pipeline_freezes`. */
export async function createPipelineFreezeTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pipeline_freezes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('hook', 'text', (c) => c.notNull())
    // canonical JSON array of dataset names; `["*"]` freezes every dataset
    .addColumn('datasets', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('frozen_at', 'text', (c) => c.notNull())
    .addColumn('frozen_by', 'text', (c) => c.notNull())
    .addColumn('thawed_at', 'text')
    .addColumn('thawed_by', 'text')
    .execute();
  await db.schema
    .createIndex('pipeline_freezes_incident_idx')
    .on('pipeline_freezes')
    .column('incident_id')
    .execute();
}
