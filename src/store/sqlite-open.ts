import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

// The only file that imports better-sqlite3.

export interface SqliteOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  path: string;
  /**
   * 'normal' (default): in WAL mode a commit is a write() to the WAL file and an fsync happens
   * only at checkpoints. Once write() returns the bytes sit in the OS page cache, which
   * outlives the process, so a crash or `kill -9` loses nothing committed; only an OS crash or
   * power cut can drop the last commits (the file stays consistent). 'full' fsyncs the WAL on
   * every commit, surviving power loss at the cost of one fsync per transaction.
   * See https://www.sqlite.org/pragma.html#pragma_synchronous and https://www.sqlite.org/wal.html.
   */
  synchronous: 'normal' | 'full';
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

const STATEMENT_CACHE_SIZE = 64;

/**
 * Kysely prepares every query afresh; preparing a 1,000-row INSERT costs about as much as
 * running it. Keeping recent statements by SQL text lets repeated batch appends skip that.
 * A statement still iterating (a stream in progress) is never handed out twice.
 */
function withStatementCache(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sql) => {
      const cached = cache.get(sql);
      cache.delete(sql);
      const stmt = cached && !cached.busy ? cached : db.prepare(sql);
      cache.set(sql, stmt); // re-inserted last: the Map's order is least recently used first
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

function open(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return new Database(path);
}

/**
 * Opens the database file now (so a bad path fails at start-up) and sets its pragmas. Throws
 * better-sqlite3's own errors: callers map them (this module stays light for the store thread).
 */
export function openSqliteDatabase(options: SqliteOptions): SqliteDatabase {
  let db: Database.Database | undefined;
  try {
    db = open(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.floor(options.busyTimeoutMs)}`);
    // Without this, INSERT OR REPLACE deletes the conflicting row without firing DELETE
    // triggers, which would let a ledger entry be replaced past the append-only trigger.
    db.pragma('recursive_triggers = ON');
  } catch (e) {
    db?.close();
    throw e;
  }
  return withStatementCache(db);
}
