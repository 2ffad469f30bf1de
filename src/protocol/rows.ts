import { invalidInput } from './errors.js';

/**
 * Reads a JSON matrix of feature rows at `where`. A flat array of numbers is one row. Each value
 * must be a finite number and, when the model's width is known, each row that wide; every
 * refusal names the row and column.
 */
export function featureRows(value: unknown, where: string, featureCount?: number): number[][] {
  if (!Array.isArray(value)) throw invalidInput(`${where} must be an array of feature rows`);
  if (value.length === 0) throw invalidInput(`${where} is empty: send at least one feature row`);
  const rows = Array.isArray(value[0]) ? (value as unknown[]) : [value];
  return rows.map((row, r) => numberRow(row, r, where, featureCount));
}

/** Checks one row: an array of finite numbers, `featureCount` long when given. */
export function numberRow(row: unknown, r: number, where: string, featureCount?: number): number[] {
  if (!Array.isArray(row)) throw invalidInput(`${where}: row ${r} must be an array of numbers`);
  if (featureCount !== undefined && row.length !== featureCount)
    throw invalidInput(
      `${where}: row ${r} has ${row.length} values; the model expects ${featureCount}`,
    );
  const out = new Array<number>(row.length);
  for (let c = 0; c < row.length; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'number')
      throw invalidInput(`${where}: row ${r}, column ${c} is ${describe(v)}, not a number`);
    if (!Number.isFinite(v))
      throw invalidInput(`${where}: row ${r}, column ${c} is ${v}; values must be finite`);
    out[c] = v;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : `a ${typeof v}`;
}
