import { isMainThread } from 'node:worker_threads';
import { Kysely, Migrator, sql } from 'kysely';
import { AppError } from '../core/index.js';
import { withStoreErrors, type MappedDialect } from './error-mapping-dialect.js';
import { StoreErrorCodes } from './errors.js';
import { createMigrationProvider, type StoreDriver } from './migrations.js';
import type { Database } from './schema.js';
import { parseStoreConfig, type ResolvedStoreConfig, type StoreConfig } from './store-config.js';

/** An open database: the typed query builder plus its life cycle. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly driver: StoreDriver;
  /** Applies pending migrations in order; returns the names it applied (none when current). */
  migrate(): Promise<string[]>;
  /** Closes the database or pool; calling it again does nothing. */
  close(): Promise<void>;
}

export interface StoreOpenOptions {
  /**
   * Run SQLite on the calling thread even when it is the main thread: only for one-shot
   * commands that serve nothing while they wait (`aisoc ledger verify` reads about 1.5x faster).
   */
  readonly sqliteOnCallingThread?: boolean;
}

// Each driver is imported only when chosen: a SQLite user never loads pg, and a command that
// merely links against the store (`aisoc verify`) loads neither (test/e2e/cli-start.test.ts).
async function createDialect(
  config: ResolvedStoreConfig,
  options: StoreOpenOptions,
): Promise<MappedDialect> {
  if (config.driver === 'sqlite' && isMainThread && !options.sqliteOnCallingThread) {
    // better-sqlite3 is synchronous: on the main thread it would freeze the event loop for up
    // to busy_timeout whenever another process holds the lock (issue 14, finding 9).
    const { createThreadedSqliteDialect } = await import('./sqlite-thread.js');
    return withStoreErrors(await createThreadedSqliteDialect(config), { beginImmediate: true });
  }
  if (config.driver === 'sqlite') {
    const { createSqliteDialect } = await import('./sqlite-dialect.js');
    return withStoreErrors(createSqliteDialect(config), { beginImmediate: true });
  }
  const { createPostgresDialect } = await import('./postgres-dialect.js');
  return withStoreErrors(await createPostgresDialect(config));
}

async function migrate(
  db: Kysely<Database>,
  driver: StoreDriver,
  schema: string | undefined,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(driver),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error === undefined) return results.map((r) => r.migrationName);
  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? error.message : String(error);
  const message = failed
    ? `Migration ${failed} failed: ${reason}`
    : `Migrations could not run: ${reason}`;
  throw new AppError(StoreErrorCodes.STORE_MIGRATION_FAILED, message, {
    details: { migration: failed ?? null, causeCode: (error as { code?: unknown }).code ?? null },
    cause: error,
  });
}

/**
 * Opens SQLite (WAL) or a PostgreSQL pool, failing with STORE_CONFIG_INVALID or
 * STORE_UNAVAILABLE now rather than at the first query. Call `migrate()` before use.
 */
export async function createStore(
  config: StoreConfig,
  options: StoreOpenOptions = {},
): Promise<Store> {
  const resolved = parseStoreConfig(config);
  const dialect = await createDialect(resolved, options);
  const db = new Kysely<Database>({ dialect });
  try {
    // Initialises the driver now, so a bad database fails here and close() has a handle.
    await sql`select 1`.execute(db);
  } catch (e) {
    await dialect.destroy().catch(() => undefined);
    throw e;
  }
  const schema = resolved.driver === 'postgres' ? resolved.schema : undefined;
  return {
    db,
    driver: resolved.driver,
    migrate: () => migrate(db, resolved.driver, schema),
    close: () => dialect.destroy(),
  };
}
