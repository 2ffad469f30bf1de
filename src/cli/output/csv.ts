import { escapeControl } from './escape.js';
import { headerFor } from './table.js';

/**
 * RFC 4180 CSV: fields with a comma, quote or line break are quoted. Text that a spreadsheet
 * would run as a formula (`=`, `+`, `@`, or `-` not starting a number) gets a leading `'`
 * (OWASP "CSV injection"); numbers are left alone.
 */
export function renderCsv(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): string[] {
  return [
    columns.map((c) => field(headerFor(c))).join(','),
    ...rows.map((row) => columns.map((c) => field(csvValue(row[c]))).join(',')),
  ];
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = Array.isArray(value)
    ? value.join(';')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return /^([=+@\t\r]|-(?![\d.]))/.test(text) ? `'${text}` : text;
}

function field(text: string): string {
  const safe = escapeControl(text.replace(/\r?\n/g, ' '));
  return /[",]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
