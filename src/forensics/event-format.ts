import type { IndexedEvent } from './event-index.js';

export const EVENT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];

/** The CSV columns, in order; `features` and `outputs` are JSON text inside their cell. */
export const EVENT_CSV_COLUMNS = [
  'seq',
  'time',
  'requestId',
  'model',
  'modelVersion',
  'principal',
  'keyId',
  'sourceAddress',
  'status',
  'outcome',
  'errorCode',
  'policyAction',
  'latencyMs',
  'artifactDigest',
  'features',
  'outputs',
] as const;

/** One CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line (with its CRLF) of any record, in the given column order. */
export function csvLine(columns: readonly string[], record: Record<string, unknown>): string {
  return `${columns.map((c) => csvField(record[c])).join(',')}\r\n`;
}

/** The event as one JSON object with its ledger seq first. */
export function eventRecord(e: IndexedEvent): Record<string, unknown> {
  return { seq: e.seq, ...e.event };
}

/**
 * Encodes a stream of events as `jsonl` (one object a line), `csv` (header then rows) or
 * `json` (one array), chunk by chunk, so an answer of any size never sits in memory whole.
 */
export async function* encodeEvents(
  events: AsyncIterable<IndexedEvent>,
  format: Exclude<EventFormat, 'table'>,
): AsyncGenerator<string> {
  if (format === 'csv')
    yield csvLine(EVENT_CSV_COLUMNS, Object.fromEntries(EVENT_CSV_COLUMNS.map((c) => [c, c])));
  if (format === 'json') yield '[';
  let first = true;
  for await (const e of events) {
    const record = eventRecord(e);
    if (format === 'csv') yield csvLine(EVENT_CSV_COLUMNS, record);
    else if (format === 'jsonl') yield `${JSON.stringify(record)}\n`;
    else {
      yield `${first ? '' : ','}\n${JSON.stringify(record)}`;
      first = false;
    }
  }
  if (format === 'json') yield '\n]\n';
}
