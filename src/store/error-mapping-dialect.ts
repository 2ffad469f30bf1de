import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { AppError } from '../core/index.js';
import { StoreErrorCodes, toStoreError } from './errors.js';

export interface ErrorMappingOptions {
  /**
   * Start transactions with BEGIN IMMEDIATE (SQLite). A deferred transaction that reads and
   * then writes fails at once with SQLITE_BUSY_SNAPSHOT when another connection wrote in
   * between; IMMEDIATE takes the write lock up front, so busy_timeout applies instead.
   */
  beginImmediate?: boolean;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toStoreError(e);
  }
}

/** A connection whose every failure leaves as a typed AppError. */
class MappedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // `mapped` also catches the synchronous throws of the SQLite connection.
    return mapped(async () => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (e) {
      throw toStoreError(e);
    }
  }
}

/** Wraps a driver so that connection, transaction and query failures become AppErrors. */
class MappedDriver implements Driver {
  readonly #wrappers = new WeakMap<DatabaseConnection, MappedConnection>();
  #destroyed: Promise<void> | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly options: ErrorMappingOptions,
  ) {}

  init(): Promise<void> {
    return mapped(() => this.inner.init());
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return mapped(async () => {
      if (this.#destroyed) {
        throw new AppError(StoreErrorCodes.STORE_UNAVAILABLE, 'Store unavailable: it is closed', {
          status: 503,
        });
      }
      const connection = await this.inner.acquireConnection();
      let wrapper = this.#wrappers.get(connection);
      if (!wrapper) {
        wrapper = new MappedConnection(connection);
        this.#wrappers.set(connection, wrapper);
      }
      return wrapper;
    });
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const inner = unwrap(connection);
    if (this.options.beginImmediate) {
      return mapped(async () => {
        await inner.executeQuery(CompiledQuery.raw('begin immediate'));
      });
    }
    return mapped(() => this.inner.beginTransaction(inner, settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.rollbackTransaction(unwrap(connection)));
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () => {
      if (!this.inner.savepoint) throw new Error('this driver has no savepoints');
      await this.inner.savepoint(unwrap(connection), name, compile);
    });
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () => {
      if (!this.inner.rollbackToSavepoint) throw new Error('this driver has no savepoints');
      await this.inner.rollbackToSavepoint(unwrap(connection), name, compile);
    });
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return mapped(async () => {
      if (!this.inner.releaseSavepoint) throw new Error('this driver has no savepoints');
      await this.inner.releaseSavepoint(unwrap(connection), name, compile);
    });
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.releaseConnection(unwrap(connection)));
  }

  /** Idempotent: the store's close() and Kysely's destroy() may both call it. */
  destroy(): Promise<void> {
    return (this.#destroyed ??= mapped(() => this.inner.destroy()));
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof MappedConnection ? connection.inner : connection;
}

/** A dialect whose driver can be shut down directly (Kysely's destroy() skips an unused one). */
export interface MappedDialect extends Dialect {
  destroy(): Promise<void>;
}

/**
 * The same dialect with a boundary around its driver: no better-sqlite3 or pg error reaches
 * the rest of aisoc untyped (the nats.js habit of typing foreign errors where they enter).
 */
export function withStoreErrors(
  dialect: Dialect,
  options: ErrorMappingOptions = {},
): MappedDialect {
  const drivers: MappedDriver[] = [];
  return {
    destroy: async () => {
      await Promise.all(drivers.map((d) => d.destroy()));
    },
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => {
      const driver = new MappedDriver(dialect.createDriver(), options);
      drivers.push(driver);
      return driver;
    },
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
