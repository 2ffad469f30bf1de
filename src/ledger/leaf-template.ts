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
  return directTemplate(stream, record, time) ?? generalTemplate(stream, record, time);
}

/**
 * The template written in one pass, for entries of plain JSON data (every event the gateway
 * records): keys in sorted order, values written as they are met. Canonical (RFC 8785) key
 * order puts "seq" between the keys that sort before and after it. Returns null for anything
 * unusual (non-finite numbers, class instances, typed arrays, holes, deep nesting), which
 * generalTemplate then handles or refuses with the path of the bad value.
 */
function directTemplate(stream: string, record: Record<string, unknown>, time: string) {
  const names = sortedNames(record);
  // Members are joined, not appended with +=: a chain of concatenations leaves a rope that
  // every later step (the batch join, the worker's copy) has to flatten, which cost more
  // than it saved.
  const head: string[] = [];
  const tail: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    const value = key === 'stream' ? stream : key === 'time' ? time : record[key];
    if (value === undefined) continue;
    const text = writeValue(value, 1);
    if (text === null) return null;
    (key < 'seq' ? head : tail).push(`${quoteKey(key)}:${text}`);
  }
  head.push('"seq":');
  return { time, head: `{${head.join(',')}`, tail: `,${tail.join(',')}}` };
}

/**
 * The one-pass writer's value: canonical JSON of plain data, or null for anything else.
 * Containers go to JSON.stringify whole once inspect() finds their keys sorted: V8 writes
 * arrays of numbers faster than any loop in JavaScript.
 */
function writeValue(value: unknown, depth: number): string | null {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // ECMAScript Number::toString is the RFC 8785 number form (and -0 prints as 0).
      return Number.isFinite(value) ? `${value}` : null;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return inspect(value, depth) === Shape.Sorted ? JSON.stringify(value) : null;
    default:
      return null;
  }
}

// Events of one kind share their key list: the sorted order of the last list seen is reused
// when the next entry's keys are the same, in the same order (a comparison, not a sort).
let lastKeys: string[] | null = null;
let lastSorted: string[] = [];

/** The entry's keys without stream/seq/time, plus "stream" and "time", in sorted order. */
function sortedNames(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  const last = lastKeys;
  if (last !== null && keys.length === last.length && keys.every((k, i) => k === last[i]))
    return lastSorted;
  const names = keys.filter((k) => k !== 'time' && k !== 'stream' && k !== 'seq');
  names.push('stream', 'time');
  names.sort();
  lastKeys = keys;
  lastSorted = names;
  return names;
}

const quotedKeys = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 4096) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** The two-object path: halves built as objects in sorted order, then canonical() each. */
function generalTemplate(
  stream: string,
  record: Record<string, unknown>,
  time: string,
): LeafTemplate {
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
  const shape = inspect(value, 0);
  if (shape === Shape.Unusual) return canonicalJson(value);
  // Objects whose keys are already in sorted order need no replacer, which costs twice as much.
  if (shape === Shape.Sorted) return JSON.stringify(value);
  const keys = new Set<string>();
  collectKeys(value, keys);
  return JSON.stringify(value, [...keys].sort());
}

const MAX_DEPTH = 64;

/** What the fast path needs to know of a value; the flags combine with `|`. */
const enum Shape {
  Sorted = 0,
  Unsorted = 1,
  Unusual = 2,
}

/**
 * One pass over the value, allocating nothing: is it plain JSON data, and are the keys of
 * every object already in sorted order? (It runs on the request thread for every event.)
 */
function inspect(value: unknown, depth: number): Shape {
  if (value === null) return Shape.Sorted;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return Shape.Sorted;
    case 'number':
      return Number.isFinite(value) ? Shape.Sorted : Shape.Unusual;
    case 'object':
      break;
    default:
      return Shape.Unusual;
  }
  if (depth > MAX_DEPTH) return Shape.Unusual;
  let shape = Shape.Sorted;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'number') {
        if (!Number.isFinite(item)) return Shape.Unusual;
        continue;
      }
      if (item === undefined) return Shape.Unusual; // also a hole of a sparse array
      shape |= inspect(item, depth + 1);
      if (shape & Shape.Unusual) return Shape.Unusual;
    }
    return shape;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return Shape.Unusual;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let previous = '';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const item = record[key];
    if (item === undefined) continue;
    if (key < previous) shape = Shape.Unsorted;
    previous = key;
    shape |= inspect(item, depth + 1);
    if (shape & Shape.Unusual) return Shape.Unusual;
  }
  return shape;
}

/** Every object key in a value that inspect() found plain (the replacer list). */
function collectKeys(value: unknown, keys: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectKeys(item, keys);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    keys.add(key);
    collectKeys(item, keys);
  }
}
