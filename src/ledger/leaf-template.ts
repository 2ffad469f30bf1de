import { canonicalJson } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';

/**
 * A leaf payload waiting for its sequence number: the canonical JSON of
 * `{ stream, seq, time, ...entry }` is `head + seq + tail`, so the worker that assigns `seq`
 * needs no JSON work at all.
 */
export interface LeafTemplate {
  readonly time: string;
  readonly head: string;
  readonly tail: string;
}

/** The payload of a template once its sequence number is known. */
export function leafPayload(template: LeafTemplate, seq: number): string {
  return template.head + seq + template.tail;
}

/**
 * Builds the leaf template of an entry. `stream` and `seq` belong to the ledger and may not be
 * set by the entry; `time` may (an event's own time), else it is the append time `nowMs`.
 */
export function leafTemplate(stream: string, entry: object, nowMs: number): LeafTemplate {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw ledgerError(LedgerErrorCodes.ENTRY_INVALID, 'a ledger entry must be a JSON object');
  }
  const record = entry as Record<string, unknown>;
  if (record.stream !== undefined || record.seq !== undefined) {
    throw ledgerError(
      LedgerErrorCodes.ENTRY_INVALID,
      'a ledger entry may not set "stream" or "seq"; the ledger assigns them',
    );
  }
  const time = record.time === undefined ? new Date(nowMs).toISOString() : record.time;
  // eslint-disable-next-line no-control-regex
  if (typeof time !== 'string' || time.length === 0 || /[\u0000-\u001f]/.test(time)) {
    throw ledgerError(
      LedgerErrorCodes.ENTRY_INVALID,
      'entry "time" must be a non-empty string without control characters',
    );
  }
  // Canonical (RFC 8785) key order puts "seq" between the keys that sort before and after it.
  // Both halves are built in sorted order, so canonical() can skip its replacer for them.
  const names = Object.keys(record).filter((k) => k !== 'time' && k !== 'stream' && k !== 'seq');
  names.push('stream', 'time');
  names.sort();
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of names) {
    const value = key === 'stream' ? stream : key === 'time' ? time : record[key];
    if (key < 'seq') before[key] = value;
    else after[key] = value;
  }
  const head = canonical(before);
  const tail = canonical(after);
  return {
    time,
    head: head.length > 2 ? `${head.slice(0, -1)},"seq":` : '{"seq":',
    tail: `,${tail.slice(1)}`,
  };
}

/**
 * RFC 8785 canonical JSON, fast path: for plain JSON data, JSON.stringify with every object
 * key listed (sorted) in the replacer array writes each object's keys in that order, and its
 * number and string forms are the ones RFC 8785 prescribes. Anything unusual (non-finite
 * numbers, class instances, typed arrays, sparse arrays, deep nesting) goes to the reference
 * implementation in core, which either handles it or throws with the path of the bad value.
 */
export function canonical(value: object): string {
  const keys = new Set<string>();
  const order = { sorted: true };
  if (!collectKeys(value, keys, 0, order)) return canonicalJson(value);
  // Objects whose keys are already in sorted order need no replacer, which costs twice as much.
  return order.sorted ? JSON.stringify(value) : JSON.stringify(value, [...keys].sort());
}

const MAX_DEPTH = 64;

function collectKeys(
  value: unknown,
  keys: Set<string>,
  depth: number,
  order: { sorted: boolean },
): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return collectArray(value, keys, depth, order);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  let previous = '';
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    if (key < previous) order.sorted = false;
    previous = key;
    keys.add(key);
    if (!collectKeys(item, keys, depth + 1, order)) return false;
  }
  return true;
}

function collectArray(
  array: unknown[],
  keys: Set<string>,
  depth: number,
  order: { sorted: boolean },
): boolean {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
    } else if (item === undefined || !(i in array) || !collectKeys(item, keys, depth + 1, order)) {
      return false;
    }
  }
  return true;
}
