import { escapeControl } from './escape.js';
import { paint, styleFor } from './style.js';

export interface TableOptions {
  /** Characters a line may take; undefined means no limit (output piped to a file). */
  width?: number;
  colour?: boolean;
}

const GAP = '  ';
// A column is never squeezed below its header or this many characters, whichever is smaller.
const MIN_COLUMN = 8;

/** `modelVersion` → `MODEL_VERSION`, `ttcMs` → `TTC_MS`: headers that never run together. */
export function headerFor(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toUpperCase();
}

/** One cell as text: lists joined, objects as JSON, nothing as `-`, control characters escaped. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : escapeControl(value.join(','));
  if (typeof value === 'object') return escapeControl(JSON.stringify(value));
  return escapeControl(String(value));
}

/** Rows as aligned lines that fit `width`: the widest columns are truncated with `…` first. */
export function renderTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  options: TableOptions = {},
): string[] {
  if (rows.length === 0) return ['(none)'];
  const headers = columns.map(headerFor);
  const cells = rows.map((row) => columns.map((c) => cellText(row[c])));
  const widths = fitWidths(
    headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length))),
    headers.map((h) => Math.min(h.length, MIN_COLUMN)),
    options.width,
  );
  const line = (values: string[], style: (v: string, i: number) => string) =>
    values
      .map((v, i) => {
        const text = truncate(v, widths[i]!);
        const padded = i === values.length - 1 ? text : text.padEnd(widths[i]!);
        return style(padded, i);
      })
      .join(GAP)
      .trimEnd();
  const colour = options.colour ?? false;
  return [
    line(headers, (v) => paint(v, 'bold', colour)),
    ...cells.map((r) =>
      line(r, (v, i) => {
        const style = colour ? styleFor(r[i]!) : undefined;
        return style ? paint(v, style, true) : v;
      }),
    ),
  ];
}

function fitWidths(natural: number[], minimum: number[], width?: number): number[] {
  const widths = [...natural];
  if (width === undefined || !Number.isFinite(width) || width <= 0) return widths;
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (widths[i]! > minimum[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break; // every column at its minimum: let the terminal wrap
    widths[widest]!--;
    excess--;
  }
  return widths;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
