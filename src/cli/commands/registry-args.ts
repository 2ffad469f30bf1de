import { existsSync } from 'node:fs';
import { AppError } from '../../core/index.js';
import { printRecord, type OutputFormat } from '../output/index.js';

export { OUTPUT_FORMATS, formatOption, type OutputFormat } from '../output/index.js';

/** Helpers shared by `aisoc registry …` and `aisoc lineage …`: arguments checked before any call. */

export function usage(message: string): AppError {
  return new AppError('CLI_USAGE', message);
}

/** `/api/v1/registry` plus path segments, each URL-encoded (names may hold `/`, `@`, `+`). */
export function registryPath(...segments: string[]): string {
  return ['/api/v1/registry', ...segments.map(encodeURIComponent)].join('/');
}

/** Prints JSON, jsonl or CSV, or calls `table` for people. */
export function emit(format: OutputFormat, value: unknown, table: () => void): void {
  printRecord(format, value, table);
}

/** An existing local path, or a usage error naming the argument. */
export function existingPath(path: string, what: string): string {
  if (!existsSync(path)) throw usage(`${what}: ${path} does not exist`);
  return path;
}

// ISO 8601 date, or date-time with an optional fraction and zone; Date.parse alone accepts
// things like "1" or "March 3", which would silently ask about some other time.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 time as the server stores it (UTC, milliseconds), or a usage error. */
export function isoTime(value: string, what: string): string {
  const time = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time))
    throw usage(`${what}: "${value}" is not an ISO 8601 time (e.g. 2026-11-22T10:00:00Z)`);
  return new Date(time).toISOString();
}

/** `NAME@LABEL` split at its last `@` (names may contain `@`; labels rarely do). */
export function nameAt(value: string, what: string): [string, string] {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    throw usage(`${what}: "${value}" is not NAME@VERSION (or DATASET@LABEL)`);
  return [value.slice(0, at), value.slice(at + 1)];
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];
