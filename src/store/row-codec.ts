import type { z } from 'zod';
import { AppError } from '../core/index.js';
import { StoreErrorCodes } from './errors.js';

/** Parses a JSON column and checks it against its schema; a bad row is a typed error. */
export function decodeJsonColumn<S extends z.ZodType>(
  schema: S,
  text: string,
  where: { table: string; id: string; column: string },
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw rowInvalid(where, 'is not JSON', e);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw rowInvalid(where, parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data;
}

function rowInvalid(
  where: { table: string; id: string; column: string },
  problem: string,
  cause?: unknown,
): AppError {
  return new AppError(
    StoreErrorCodes.STORE_ROW_INVALID,
    `${where.table}.${where.column} of ${where.id}: ${problem}`,
    { details: where, cause },
  );
}
