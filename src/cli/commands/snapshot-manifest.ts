import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '../../core/index.js';
import { parseParquet, parseTable, type DataTable } from '../../detect/index.js';
import { hashModel, type SnapshotFile } from '../../registry/index.js';
import { usage } from './registry-args.js';

/** What `aisoc registry snapshot add` sends: files with digests (and rows), row count, schema. */
export interface SnapshotManifest {
  files: SnapshotFile[];
  manifestDigest: string;
  rowCount: number;
  /** Column name → number | string | mixed | empty, over every table file. */
  schema: Record<string, unknown>;
}

type ColumnType = 'number' | 'string' | 'mixed' | 'empty';

function columnType(values: readonly unknown[]): ColumnType {
  let seen: ColumnType = 'empty';
  for (const v of values) {
    if (v === null) continue;
    const t = typeof v === 'number' ? 'number' : 'string';
    if (seen === 'empty') seen = t;
    else if (seen !== t) return 'mixed';
  }
  return seen;
}

const merge = (a: ColumnType | undefined, b: ColumnType): ColumnType =>
  a === undefined || a === 'empty' ? b : b === 'empty' || a === b ? a : 'mixed';

async function readTable(path: string, file: string): Promise<DataTable | undefined> {
  const lower = file.toLowerCase();
  try {
    if (lower.endsWith('.csv')) return parseTable(await readFile(path, 'utf8'), 'csv');
    if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson'))
      return parseTable(await readFile(path, 'utf8'), 'jsonl');
    if (lower.endsWith('.parquet')) return await parseParquet(await readFile(path));
  } catch (error) {
    throw usage(`PATH: ${file} cannot be read as a table: ${(error as Error).message}`);
  }
  return undefined; // not a table format: hashed, but no rows or columns
}

/**
 * Hashes the snapshot's files with the registry's own manifest code (so the manifest digest is
 * the one the server computes for the same folder) and counts rows and columns of CSV, JSON
 * Lines and Parquet files.
 */
export async function snapshotManifest(path: string): Promise<SnapshotManifest> {
  let hashed;
  try {
    hashed = await hashModel(path);
  } catch (error) {
    if (isAppError(error) && error.code === 'REGISTRY_PATH_REFUSED')
      throw usage(`PATH: ${error.message}`);
    throw error;
  }
  const columns = new Map<string, ColumnType>();
  let rowCount = 0;
  const files: SnapshotFile[] = [];
  for (const f of hashed.files) {
    const table = await readTable(
      f.path === '.' ? path : join(path, f.path),
      f.path === '.' ? path : f.path,
    );
    if (!table) {
      files.push(f);
      continue;
    }
    rowCount += table.rowCount;
    table.columns.forEach((c, i) =>
      columns.set(c, merge(columns.get(c), columnType(table.data[i]!))),
    );
    files.push({ ...f, rows: table.rowCount });
  }
  return {
    files,
    manifestDigest: hashed.rootDigest,
    rowCount,
    schema: { columns: Object.fromEntries(columns) },
  };
}
