import { serveError } from './errors.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalidInput(message: string) {
  return serveError('SERVE_INPUT_INVALID', message);
}

/**
 * Reads a JSON matrix of feature rows at `where`. A flat array of numbers is one row (the
 * gateway accepts the same). Element checks (numbers, finite, width) are left to `packRows`,
 * which names the row and column.
 */
export function toRows(value: unknown, where: string): unknown[][] {
  if (!Array.isArray(value)) throw invalidInput(`${where} must be an array of feature rows`);
  if (value.length === 0) throw invalidInput(`${where} is empty: send at least one feature row`);
  if (!Array.isArray(value[0])) return [value];
  value.forEach((row, i) => {
    if (!Array.isArray(row)) throw invalidInput(`${where}[${i}] must be an array of numbers`);
  });
  return value as unknown[][];
}

/** Splits row-major flat data into rows of `width`. */
export function chunkRows(flat: unknown[], rows: number, width: number): unknown[][] {
  const out: unknown[][] = [];
  for (let r = 0; r < rows; r += 1) out.push(flat.slice(r * width, (r + 1) * width));
  return out;
}
