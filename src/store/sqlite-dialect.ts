import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import { toStoreError } from './errors.js';
import { openSqliteDatabase, type SqliteOptions } from './sqlite-open.js';

export type { SqliteOptions };

/** SQLite can roll back DDL, so migrations run in one transaction (Kysely assumes it cannot). */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class AisocSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * A dialect that runs better-sqlite3 on the calling thread: every query blocks that thread,
 * for up to busy_timeout while another process holds the lock. Only for threads that do
 * nothing else (the ledger worker, the store thread); the main thread uses sqlite-thread.ts.
 */
export function createSqliteDialect(options: SqliteOptions): SqliteDialect {
  try {
    return new AisocSqliteDialect({ database: openSqliteDatabase(options) });
  } catch (e) {
    throw toStoreError(e);
  }
}

export { TransactionalSqliteAdapter };
