import { escapeTerminal, writeOut } from './terminal-text.js';

/** Prints rows as an aligned plain-text table (no colours: output is often piped). */
export function printTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): void {
  if (rows.length === 0) {
    writeOut('(none)\n');
    return;
  }
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  writeOut(line(columns.map((c) => c.toUpperCase())) + '\n');
  for (const row of cells) writeOut(line(row) + '\n');
}

export function printJson(value: unknown): void {
  // JSON escapes C0 controls itself; escapeTerminal also catches DEL, C1 and bidi overrides.
  writeOut(JSON.stringify(value, null, 2) + '\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // Escaped once more by writeOut; width is measured on what will be shown.
  return escapeTerminal(String(value).replace(/[\r\n\t]/g, ' '));
}

export { escapeTerminal, writeOut, writeErr } from './terminal-text.js';
