import type { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { spawnModuleWorker } from '../core/index.js';
import { toStoreError } from './errors.js';
import { TransactionalSqliteAdapter, type SqliteOptions } from './sqlite-dialect.js';
import {
  fromWireError,
  toBuffer,
  type SqliteQueryRequest,
  type SqliteThreadReply,
} from './sqlite-thread-protocol.js';

interface Pending {
  resolve(result: QueryResult<unknown>): void;
  reject(error: Error): void;
}

/** Rows keep Buffer blobs, as better-sqlite3 returns them on its own thread. */
function withBuffers(rows: unknown[]): unknown[] {
  for (const row of rows as Record<string, unknown>[])
    for (const k in row) if (row[k] instanceof Uint8Array) row[k] = toBuffer(row[k]);
  return rows;
}

/**
 * The one SQLite connection, living on its own thread. Queries go over postMessage and the
 * main thread only awaits them, so a lock held by another process delays the store's callers
 * and nobody else. The worker is referenced only while a query is in flight: an idle store
 * does not keep the process alive, a pending query does.
 */
class ThreadConnection implements DatabaseConnection {
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #gone: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.unref();
    worker.on('message', (m: SqliteThreadReply) => {
      if (m.t !== 'result' && m.t !== 'error') return;
      const waiter = this.#pending.get(m.id);
      if (!waiter) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) worker.unref();
      if (m.t === 'error') waiter.reject(fromWireError(m.error));
      else
        waiter.resolve({
          rows: withBuffers(m.rows),
          ...(m.changes === undefined ? {} : { numAffectedRows: BigInt(m.changes) }),
          ...(m.lastInsertRowid === undefined ? {} : { insertId: BigInt(m.lastInsertRowid) }),
        });
    });
    const lost = (why: string) => {
      this.#gone ??= new Error(`database connection is not open: the SQLite thread ${why}`);
      for (const waiter of this.#pending.values()) waiter.reject(this.#gone);
      this.#pending.clear();
    };
    worker.on('error', (e) => lost(`failed: ${e.message}`));
    worker.on('exit', (code) => lost(`exited (${code})`));
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    const request: SqliteQueryRequest = { id, sql: query.sql, parameters: query.parameters };
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      if (this.#pending.size === 1) this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  /** No caller streams from the store; this reads the whole result, then yields it by row. */
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (const row of rows) yield { rows: [row] };
  }
}

async function startThread(options: SqliteOptions): Promise<Worker> {
  const worker = spawnModuleWorker(import.meta.url, 'sqlite-thread-worker', { ...options });
  // Removed one by one afterwards: Worker keeps internal listeners of its own.
  let onMessage!: (m: SqliteThreadReply) => void;
  let onError!: (e: Error) => void;
  let onExit!: (code: number) => void;
  try {
    await new Promise<void>((resolve, reject) => {
      onMessage = (m) => {
        if (m.t === 'ready') resolve();
        else if (m.t === 'fatal') reject(fromWireError(m.error));
      };
      onError = reject;
      onExit = (code) => reject(new Error(`the SQLite thread exited (${code}) while opening`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (e) {
    await worker.terminate();
    throw toStoreError(e);
  } finally {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  }
  return worker;
}

class ThreadDriver implements Driver {
  #connection: ThreadConnection | undefined;
  #lock: Promise<void> = Promise.resolve();
  #unlock: (() => void) | undefined;

  constructor(private readonly worker: Worker) {}

  async init(): Promise<void> {
    this.#connection = new ThreadConnection(this.worker);
  }

  /** SQLite has one connection: callers take turns, as with Kysely's own SQLite driver. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#lock;
    let unlock!: () => void;
    this.#lock = new Promise<void>((r) => (unlock = r));
    await previous;
    this.#unlock = unlock;
    return this.#connection!;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#unlock = undefined;
    unlock?.();
  }

  async destroy(): Promise<void> {
    this.worker.postMessage({ t: 'close' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 5_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * The main thread's SQLite dialect: the connection is opened (pragmas and all) on a worker
 * thread before this resolves, so a bad path still fails at start-up.
 */
export async function createThreadedSqliteDialect(options: SqliteOptions): Promise<Dialect> {
  const worker = await startThread(options);
  return {
    createAdapter: () => new TransactionalSqliteAdapter(),
    createDriver: () => new ThreadDriver(worker),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
