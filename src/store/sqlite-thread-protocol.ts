// Messages between the main thread's SQLite driver (sqlite-thread.ts) and the thread that owns
// the better-sqlite3 connection (sqlite-thread-worker.ts).

export interface SqliteQueryRequest {
  readonly id: number;
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export interface SqliteWireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type SqliteThreadReply =
  | { readonly t: 'ready' }
  | { readonly t: 'fatal'; readonly error: SqliteWireError }
  | {
      readonly t: 'result';
      readonly id: number;
      readonly rows: unknown[];
      readonly changes?: number | bigint;
      readonly lastInsertRowid?: number | bigint;
    }
  | { readonly t: 'error'; readonly id: number; readonly error: SqliteWireError };

/** Blobs cross postMessage as Uint8Array; better-sqlite3 binds and callers expect Buffer. */
export function toBuffer(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

export function toWireError(e: unknown): SqliteWireError {
  const err = e as { name?: unknown; message?: unknown; code?: unknown } | null;
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
  };
}

/** Rebuilt with its name and code, so toStoreError maps it exactly as the original. */
export function fromWireError(error: SqliteWireError): Error {
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
}
