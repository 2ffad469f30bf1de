import type { Kysely } from 'kysely';
import { createDataRows, type DataRows } from './data-rows.js';
import { createHistoryRows, type HistoryRows } from './history-rows.js';
import { createModelRows, type ModelRows } from './model-rows.js';
import type { RegistryDatabase } from './schema.js';

/** Insert-only access to the registry tables; nothing here updates or deletes a row. */
export interface RegistryRepository extends ModelRows, DataRows, HistoryRows {}

/** The registry's repository over either engine (pass `store.db.withTables<RegistryDatabase>()`). */
export function createRegistryRepository(db: Kysely<RegistryDatabase>): RegistryRepository {
  return { ...createModelRows(db), ...createDataRows(db), ...createHistoryRows(db) };
}
