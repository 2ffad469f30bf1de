import { renderCsv } from './csv.js';
import { safeJson } from './escape.js';
import type { OutputFormat } from './format.js';
import { colourEnabled } from './style.js';
import { renderTable } from './table.js';

type Row = Record<string, unknown>;

function write(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
}

/** The width a table may take: the terminal's, else COLUMNS, else unlimited (piped). */
export function terminalWidth(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

/** Prints rows as an aligned table that fits the terminal (no colour unless on a TTY). */
export function printTable(rows: readonly object[], columns: readonly string[]): void {
  write(renderTable(rows as Row[], columns, { width: terminalWidth(), colour: colourEnabled() }));
}

/** Pretty JSON with terminal-unsafe characters escaped. */
export function printJson(value: unknown): void {
  write([safeJson(value, 2)]);
}

/**
 * Prints a list in the chosen format: a table of `columns`, a JSON array, one JSON object per
 * line (jsonl, for jq and SIEM shippers), or CSV of `columns`. JSON keeps whole records.
 */
export function printRows(
  format: OutputFormat,
  rows: readonly object[],
  columns: readonly string[],
  tableRows: readonly object[] = rows,
): void {
  if (format === 'json') return printJson(rows);
  if (format === 'jsonl') return write(rows.map((r) => safeJson(r)));
  if (format === 'csv') return write(renderCsv(tableRows as Row[], columns));
  printTable(tableRows, columns);
}

/**
 * Prints one result (or a list): JSON (pretty), jsonl (one line per record), CSV (a row per
 * record, of its top-level fields), or the command's own text for people (`human`).
 */
export function printRecord(format: OutputFormat, value: unknown, human: () => void): void {
  if (format === 'json') return printJson(value);
  const records = (Array.isArray(value) ? value : [value]).map((v) =>
    typeof v === 'object' && v !== null ? (v as Row) : { value: v },
  );
  if (format === 'jsonl') return write(records.map((r) => safeJson(r)));
  if (format === 'csv')
    return write(renderCsv(records, [...new Set(records.flatMap(Object.keys))]));
  human();
}

/** A line of text for people, written to stdout. */
export function printLine(text = ''): void {
  write([text]);
}
