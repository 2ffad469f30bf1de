import type { Kysely } from 'kysely';

// Migration 0009: the privacy module's per-subject data keys (issue 19). Frozen like every
// migration: plain SQL types only. `privacy_keys` rows are deleted on erasure (that is the
// crypto-shredding); `privacy_erasures` remembers the pseudonym and time, never the key.

/** Migration `0009_privacy`: wrapped data keys by subject pseudonym, and erasures. */
export async function createPrivacyTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('privacy_keys')
    .addColumn('subject_ref', 'text', (c) => c.primaryKey())
    .addColumn('kek_id', 'text', (c) => c.notNull())
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('privacy_erasures')
    .addColumn('subject_ref', 'text', (c) => c.primaryKey())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .execute();
}
