import type { Kysely } from 'kysely';

// The forensics module's query index over the `inference` ledger. It is derived data: every
// row repeats fields of the ledger entry with the same seq, so it can be dropped and rebuilt
// from the ledger at any time. Frozen like every migration: plain SQL types only.

const ORDERED = ['time', 'seq'] as const;

/** Migration `0004_forensics`: `inference_index` and the indexes filtered queries use. */
export async function createForensicsTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inference_index')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text')
    .addColumn('principal', 'text')
    .addColumn('key_id', 'text')
    .addColumn('source_address', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .execute();
  // Each filter column leads an index ending in (time, seq), so a filtered page is read in
  // order straight off the index with no sort, however many rows match. Every index grows at
  // in time order within each key (no index on a random key such as request_id), which keeps
  // indexing from slowing down as the table grows.
  const indexes: [string, string[]][] = [
    ['inference_index_time_idx', [...ORDERED]],
    ['inference_index_model_idx', ['model', ...ORDERED]],
    ['inference_index_version_idx', ['model', 'model_version', ...ORDERED]],
    ['inference_index_principal_idx', ['principal', ...ORDERED]],
    ['inference_index_key_idx', ['key_id', ...ORDERED]],
    ['inference_index_source_idx', ['source_address', ...ORDERED]],
    ['inference_index_status_idx', ['status', ...ORDERED]],
    ['inference_index_outcome_idx', ['outcome', ...ORDERED]],
  ];
  for (const [name, columns] of indexes)
    await db.schema.createIndex(name).on('inference_index').columns(columns).execute();
}
