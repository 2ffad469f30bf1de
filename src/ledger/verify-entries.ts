import type { Store } from '../store/index.js';
import { hashLeaf } from './merkle-hash.js';
import { isPrunedPayload, prunedPayload } from './prune.js';

// The per-entry checks of verifyLedger: contiguity, leaf hash, and the seq, stream and time
// inside each payload.

const PAGE = 5000;

/** Why a stored entry is not what the writer wrote at `seq`, or null when it is. */
export function entryProblem(
  row: { seq: number; time: string; leaf_hash: string; payload: string },
  seq: number,
  stream: string,
  leaf: Buffer,
): string | null {
  if (Number(row.seq) !== seq)
    return `entry ${seq} is missing (the next stored entry is ${row.seq})`;
  if (leaf.toString('hex') !== row.leaf_hash)
    return isPrunedPayload(row.payload)
      ? `payload of entry ${seq} was removed outside any recorded prune`
      : `stored leaf hash does not match the payload of entry ${seq}`;
  let body: { seq?: unknown; stream?: unknown; time?: unknown };
  try {
    body = JSON.parse(row.payload) as typeof body;
  } catch {
    return `payload of entry ${seq} is not JSON`;
  }
  if (body === null || typeof body !== 'object')
    return `payload of entry ${seq} is not a JSON object`;
  if (body.seq !== seq) return `entry ${seq} holds the payload of entry ${String(body.seq)}`;
  if (body.stream !== stream)
    return `entry ${seq} holds a payload of stream ${JSON.stringify(body.stream)}`;
  if (body.time !== row.time) return `entry ${seq}: time column and payload time differ`;
  return null;
}

export type EntryRow = { seq: number; time: string; leaf_hash: string; payload: string };

/**
 * The stored rows of a stream from `from` (inclusive) to `to` (exclusive), a page at a time:
 * callers loop over each page synchronously (one promise per 5,000 rows, not one per row).
 */
export async function* entryPages(
  store: Store,
  stream: string,
  from: number,
  to = Infinity,
): AsyncGenerator<EntryRow[]> {
  for (let next = from; next < to;) {
    let query = store.db
      .selectFrom('ledger_entries')
      .select(['seq', 'time', 'leaf_hash', 'payload'])
      .where('stream', '=', stream)
      .where('seq', '>=', next)
      .orderBy('seq')
      .limit(PAGE);
    if (to !== Infinity) query = query.where('seq', '<', to);
    const rows = await query.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    next = Number(rows[rows.length - 1]!.seq) + 1;
  }
}

/** The stored rows of a stream from `from` (inclusive) to `to` (exclusive), row by row. */
export async function* entryRows(
  store: Store,
  stream: string,
  from: number,
  to = Infinity,
): AsyncGenerator<EntryRow> {
  for await (const page of entryPages(store, stream, from, to)) yield* page;
}

/**
 * The checks an entry covered by a verified checkpoint needs: the root already proves its
 * payload is what the writer signed, so only the columns beside it are compared.
 */
export function quickProblem(row: EntryRow, seq: number, leaf: Buffer): string | null {
  if (Number(row.seq) !== seq)
    return `entry ${seq} is missing (the next stored entry is ${row.seq})`;
  if (!sameHash(leaf, row.leaf_hash))
    return isPrunedPayload(row.payload)
      ? `payload of entry ${seq} was removed outside any recorded prune`
      : `stored leaf hash does not match the payload of entry ${seq}`;
  if (!row.payload.includes(`"time":${JSON.stringify(row.time)}`))
    return `entry ${seq}: time column and payload time differ`;
  return null;
}

/**
 * Why an entry below the recorded pruned end that carries a pruned marker is not a proper
 * pruned entry, or null when it is. Its leaf is then the stored hash, which the signed root
 * over it still checks.
 */
export function prunedProblem(row: EntryRow, seq: number, stream: string): string | null {
  if (Number(row.seq) !== seq)
    return `entry ${seq} is missing (the next stored entry is ${row.seq})`;
  if (row.payload !== prunedPayload(stream, seq, row.time))
    return `entry ${seq}: pruned marker does not name its own stream, seq and time`;
  if (!/^[0-9a-f]{64}$/.test(row.leaf_hash)) return `entry ${seq}: kept leaf hash is malformed`;
  return null;
}

/** Whether verify takes `row` (at `seq`) as pruned: a marker inside a recorded prune. */
export function isPrunedRow(row: EntryRow, seq: number, prunedTo: number): boolean {
  return seq < prunedTo && isPrunedPayload(row.payload);
}

/** The first entry in [from, to) with a problem the full checks see, if any. */
export async function firstEntryProblem(
  store: Store,
  stream: string,
  from: number,
  to: number,
  prunedTo = 0,
): Promise<{ seq: number; reason: string } | null> {
  let seq = from;
  for await (const row of entryRows(store, stream, from, to)) {
    const reason = isPrunedRow(row, seq, prunedTo)
      ? prunedProblem(row, seq, stream)
      : entryProblem(row, seq, stream, hashLeaf(row.payload));
    if (reason) return { seq, reason };
    seq += 1;
  }
  return null;
}

/** `hex === leaf.toString('hex')` without building the hex string (verify runs it per entry). */
function sameHash(leaf: Buffer, hex: string): boolean {
  if (hex.length !== leaf.length * 2) return false;
  for (let i = 0; i < leaf.length; i++) {
    const byte = leaf[i]!;
    if (hex.charCodeAt(2 * i) !== HEX[byte >> 4] || hex.charCodeAt(2 * i + 1) !== HEX[byte & 15])
      return false;
  }
  return true;
}

const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
