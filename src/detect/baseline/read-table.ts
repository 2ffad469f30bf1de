// Reading tabular data sets (CSV per RFC 4180, JSON Lines) into columns of cells. Parquet is
// binary and async: read-parquet.ts.
import { detectError, DetectErrorCodes } from '../errors.js';

/** A cell after parsing: a number (±Infinity allowed), a string, or null for missing. */
export type Cell = number | string | null;

/** A data set held column by column. */
export interface DataTable {
  readonly columns: string[];
  readonly data: Cell[][]; // data[c][r]
  readonly rowCount: number;
}

export const TABLE_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

// Spellings read as missing; NaN is missing too (a NaN carries no value to compare).
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const POS_INF = new Set(['inf', '+inf', 'infinity', '+infinity']);
const NEG_INF = new Set(['-inf', '-infinity']);

/** Reads one CSV field's text as a cell. */
export function parseCellText(text: string): Cell {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (MISSING.has(lower)) return null;
  if (NUMBER_RE.test(t)) return Number(t);
  if (POS_INF.has(lower)) return Infinity;
  if (NEG_INF.has(lower)) return -Infinity;
  return t;
}

/** Splits CSV text into records of raw field strings (quotes, doubled quotes, CRLF). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (!(record.length === 1 && record[0] === '')) records.push(record);
      record = [];
      field = '';
      line++;
    } else field += ch;
  }
  if (quoted)
    throw detectError(
      DetectErrorCodes.DETECT_TABLE_INVALID,
      `CSV: unterminated quoted field (line ${line})`,
    );
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Parses CSV with a header line into a table. Every record must have the header's width. */
export function parseCsv(text: string): DataTable {
  const records = csvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = records[0];
  if (!header) throw detectError(DetectErrorCodes.DETECT_TABLE_INVALID, 'CSV: no header line');
  const columns = header.map((h) => h.trim());
  const dupe = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dupe !== undefined)
    throw detectError(DetectErrorCodes.DETECT_TABLE_INVALID, `CSV: duplicate column "${dupe}"`);
  const data: Cell[][] = columns.map(() => new Array<Cell>(records.length - 1));
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    if (rec.length !== columns.length)
      throw detectError(
        DetectErrorCodes.DETECT_TABLE_INVALID,
        `CSV: record ${r} has ${rec.length} fields, the header has ${columns.length}`,
        { record: r },
      );
    for (let c = 0; c < columns.length; c++) data[c]![r - 1] = parseCellText(rec[c]!);
  }
  return { columns, data, rowCount: records.length - 1 };
}

function jsonCell(value: unknown, line: number, key: string): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'string') return parseCellText(value) ?? null;
  if (typeof value === 'boolean') return String(value);
  throw detectError(
    DetectErrorCodes.DETECT_TABLE_INVALID,
    `JSON Lines: line ${line}, field "${key}" is an ${Array.isArray(value) ? 'array' : 'object'}; only scalars are profiled`,
    { line, key },
  );
}

/** Parses JSON Lines (one object per line); keys absent from a line are missing cells. */
export function parseJsonLines(text: string): DataTable {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const rows: Map<number, Cell>[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (error) {
      throw detectError(
        DetectErrorCodes.DETECT_TABLE_INVALID,
        `JSON Lines: line ${i + 1} is not JSON: ${(error as Error).message}`,
        { line: i + 1 },
      );
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw detectError(
        DetectErrorCodes.DETECT_TABLE_INVALID,
        `JSON Lines: line ${i + 1} is not an object`,
        { line: i + 1 },
      );
    const row = new Map<number, Cell>();
    for (const [k, v] of Object.entries(obj)) {
      let c = index.get(k);
      if (c === undefined) {
        c = columns.length;
        columns.push(k);
        index.set(k, c);
      }
      row.set(c, jsonCell(v, i + 1, k));
    }
    rows.push(row);
  }
  const data = columns.map((_, c) => rows.map((row) => row.get(c) ?? null));
  return { columns, data, rowCount: rows.length };
}

/** Picks the parser from a file name: .csv, .jsonl/.ndjson or .parquet. */
export function formatFromPath(path: string): TableFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  throw detectError(
    DetectErrorCodes.DETECT_FORMAT_UNSUPPORTED,
    `${path}: unknown data format (expected .csv, .jsonl, .ndjson or .parquet)`,
  );
}

/** Parses a text format (CSV or JSON Lines); Parquet goes through parseParquet. */
export function parseTable(text: string, format: Exclude<TableFormat, 'parquet'>): DataTable {
  return format === 'csv' ? parseCsv(text) : parseJsonLines(text);
}

/** The index of a column, or a DETECT_COLUMN_MISSING error naming what exists. */
export function columnIndex(table: DataTable, name: string): number {
  const i = table.columns.indexOf(name);
  if (i < 0)
    throw detectError(
      DetectErrorCodes.DETECT_COLUMN_MISSING,
      `column "${name}" not found (have: ${table.columns.slice(0, 10).join(', ')}${table.columns.length > 10 ? ', …' : ''})`,
      { column: name },
    );
  return i;
}
