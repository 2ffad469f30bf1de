import { AppError } from '../core/index.js';

/** The codes the store raises. Every driver error leaves the store as one of these. */
export const StoreErrorCodes = {
  STORE_CONFIG_INVALID: 'STORE_CONFIG_INVALID',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  STORE_CONSTRAINT: 'STORE_CONSTRAINT',
  STORE_APPEND_ONLY: 'STORE_APPEND_ONLY',
  STORE_MIGRATION_FAILED: 'STORE_MIGRATION_FAILED',
  STORE_QUERY_FAILED: 'STORE_QUERY_FAILED',
  STORE_ROW_INVALID: 'STORE_ROW_INVALID',
} as const;
export type StoreErrorCode = (typeof StoreErrorCodes)[keyof typeof StoreErrorCodes];

// The triggers of migration 0001 raise "<table> is append-only (<OP> refused)" on both engines.
const APPEND_ONLY = /\b(ledger_[a-z_]+) is append-only\b/;

// SQLite result codes (https://www.sqlite.org/rescode.html) that mean "the database cannot be
// used right now" rather than "this statement is wrong".
const SQLITE_UNAVAILABLE =
  /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM|AUTH)/;

// PostgreSQL SQLSTATE classes (Appendix A of its manual): 08 connection exception,
// 28 invalid authorization, 3D invalid catalog, 53 insufficient resources, 57 operator
// intervention (shutdown, cannot connect now), 40001/40P01 serialization failure and deadlock
// (retryable by the caller).
const PG_UNAVAILABLE = /^((08|28|3D|53|57)[0-9A-Z]{3}|40001|40P01)$/;

const NODE_NET =
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EHOSTUNREACH|EAI_AGAIN|ENETUNREACH|EACCES|EPERM|EROFS|ENOSPC|ENOTDIR|EISDIR|ENOENT)$/;

const CLOSED_OR_LOST =
  /database connection is not open|has already been destroyed|Cannot use a pool after calling end|Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i;

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function pgDetails(e: unknown, code: string): Record<string, unknown> {
  const { constraint, table, column } = (e ?? {}) as Record<string, unknown>;
  return { driverCode: code, constraint, table, column };
}

/**
 * Maps any error thrown by better-sqlite3, pg or Kysely to a typed AppError (an AppError is
 * returned unchanged, so mapping twice is harmless). The original error is kept as `cause`.
 */
export function toStoreError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const code = codeOf(e);
  const message = messageOf(e);
  const appendOnly = APPEND_ONLY.exec(message);
  if (appendOnly) {
    return new AppError(StoreErrorCodes.STORE_APPEND_ONLY, message, {
      status: 409,
      details: { table: appendOnly[1], driverCode: code },
      cause: e,
    });
  }
  if (code.startsWith('SQLITE_CONSTRAINT') || /^23/.test(code)) {
    return new AppError(StoreErrorCodes.STORE_CONSTRAINT, `Constraint violated: ${message}`, {
      status: 409,
      details: pgDetails(e, code),
      cause: e,
    });
  }
  if (
    SQLITE_UNAVAILABLE.test(code) ||
    PG_UNAVAILABLE.test(code) ||
    NODE_NET.test(code) ||
    CLOSED_OR_LOST.test(message)
  ) {
    return new AppError(StoreErrorCodes.STORE_UNAVAILABLE, `Store unavailable: ${message}`, {
      status: 503,
      details: { driverCode: code },
      cause: e,
    });
  }
  return new AppError(StoreErrorCodes.STORE_QUERY_FAILED, `Query failed: ${message}`, {
    status: 500,
    details: { driverCode: code },
    cause: e,
  });
}
