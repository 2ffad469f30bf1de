/** Database access: one Kysely query layer over SQLite and PostgreSQL, migrations, repositories. */
export { createStore, type Store, type StoreOpenOptions } from './create-store.js';
export {
  parseStoreConfig,
  StoreConfigSchema,
  type StoreConfig,
  type ResolvedStoreConfig,
} from './store-config.js';
export { StoreErrorCodes, type StoreErrorCode, toStoreError } from './errors.js';
export { createMigrations, createMigrationProvider, type StoreDriver } from './migrations.js';
export { createKeyRepository, type KeyRepository, type ApiKeyRecord } from './key-repository.js';
export {
  createPolicyActionRepository,
  actionTarget,
  type PolicyActionRepository,
  type LiftResult,
} from './policy-action-repository.js';
export type {
  Database,
  ApiKeysTable,
  PolicyActionsTable,
  LedgerEntriesTable,
  LedgerCheckpointsTable,
  LedgerHeadsTable,
} from './schema.js';
