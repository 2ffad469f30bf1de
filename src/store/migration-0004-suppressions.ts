import type { Kysely } from 'kysely';

// Migration 0004: false-positive suppressions (respond). Frozen like every migration: plain
// SQL types only. The document is canonical JSON in `body`; the columns beside it are what
// alert filing filters on. Rows are never deleted: a revocation sets `revoked_at`.

/** Migration `0004_suppressions`: subject + detector (+ model) suppressions with an expiry. */
export async function createSuppressionTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('respond_suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('detector', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('respond_suppressions_subject_idx')
    .on('respond_suppressions')
    .columns(['subject', 'detector'])
    .execute();
}
