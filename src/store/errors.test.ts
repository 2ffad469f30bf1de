import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import { StoreErrorCodes, toStoreError } from './index.js';

function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('toStoreError', () => {
  it.each([
    [
      'ledger_entries is append-only (UPDATE refused)',
      'SQLITE_CONSTRAINT_TRIGGER',
      'STORE_APPEND_ONLY',
    ],
    ['ledger_checkpoints is append-only (DELETE refused)', 'P0001', 'STORE_APPEND_ONLY'],
    ['UNIQUE constraint failed: api_keys.key_hash', 'SQLITE_CONSTRAINT_UNIQUE', 'STORE_CONSTRAINT'],
    ['duplicate key value violates unique constraint', '23505', 'STORE_CONSTRAINT'],
    ['null value in column', '23502', 'STORE_CONSTRAINT'],
    ['database is locked', 'SQLITE_BUSY', 'STORE_UNAVAILABLE'],
    ['unable to open database file', 'SQLITE_CANTOPEN', 'STORE_UNAVAILABLE'],
    ['disk I/O error', 'SQLITE_IOERR_WRITE', 'STORE_UNAVAILABLE'],
    ['connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', 'STORE_UNAVAILABLE'],
    ['the database system is shutting down', '57P03', 'STORE_UNAVAILABLE'],
    ['could not serialize access', '40001', 'STORE_UNAVAILABLE'],
    ['password authentication failed', '28P01', 'STORE_UNAVAILABLE'],
    ['Connection terminated unexpectedly', undefined, 'STORE_UNAVAILABLE'],
    ['The database connection is not open', undefined, 'STORE_UNAVAILABLE'],
    ['syntax error at or near "selec"', '42601', 'STORE_QUERY_FAILED'],
    ['no such table: nope', 'SQLITE_ERROR', 'STORE_QUERY_FAILED'],
  ])('maps "%s" (%s) to %s', (message, code, expected) => {
    const original = driverError(message, code);
    const error = toStoreError(original);
    expect(error.code).toBe(expected);
    expect(error.message).toContain(message);
    expect(error.cause).toBe(original);
  });

  it('returns an AppError unchanged, so mapping twice is harmless', () => {
    const error = new AppError('STORE_CONSTRAINT', 'x');
    expect(toStoreError(error)).toBe(error);
  });

  it('maps thrown non-errors too', () => {
    expect(toStoreError('boom').code).toBe('STORE_QUERY_FAILED');
    expect(toStoreError(undefined).code).toBe('STORE_QUERY_FAILED');
  });

  it('documents every store error code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.values(StoreErrorCodes)) expect(doc).toContain(`| \`${code}\` |`);
  });
});
