// Parquet through hyparquet (pure JS, no native code); the only file that imports it.
import { parquetReadObjects } from 'hyparquet';
import { detectError, DetectErrorCodes } from '../errors.js';
import type { Cell, DataTable } from './read-table.js';
import { parseCellText } from './read-table.js';

function toCell(value: unknown, row: number, key: string): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'bigint') return Number(value); // beyond 2^53 loses precision, as a float would
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return parseCellText(value);
  if (value instanceof Date) return value.toISOString();
  throw detectError(
    DetectErrorCodes.DETECT_TABLE_INVALID,
    `Parquet: row ${row + 1}, column "${key}" holds a nested value; only scalar columns are profiled`,
    { row, key },
  );
}

/** Reads a whole Parquet file (bytes) into a table; nested columns are refused. */
export async function parseParquet(bytes: Uint8Array): Promise<DataTable> {
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  } catch (error) {
    throw detectError(
      DetectErrorCodes.DETECT_TABLE_INVALID,
      `Parquet: ${(error as Error).message}`,
    );
  }
  const columns: string[] = [];
  for (const row of rows)
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const data = columns.map((k) => rows.map((row, r) => toCell(row[k], r, k)));
  return { columns, data, rowCount: rows.length };
}
