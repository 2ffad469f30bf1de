import type { Store } from '../store/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { createMerkleFrontier } from './merkle-frontier.js';
import { consistencyProofRanges, inclusionProofRanges, type LeafRange } from './merkle-proof.js';

/** One stored ledger entry; `payload` is the canonical JSON that was hashed. */
export interface LedgerEntry {
  readonly stream: string;
  readonly seq: number;
  readonly time: string;
  readonly leafHash: string;
  readonly payload: string;
}

/** A stored signed checkpoint. */
export interface StoredCheckpoint {
  readonly stream: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly time: string;
  readonly note: string;
}

const PAGE = 5000;

function checkWhole(name: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `${name} must be a whole number >= ${min}, got ${value}`,
    );
  }
}

/** Entries of a stream in seq order, from `fromSeq` (default 0), at most `limit` (default 1,000). */
export async function readEntries(
  store: Store,
  stream: string,
  options: { fromSeq?: number; limit?: number } = {},
): Promise<LedgerEntry[]> {
  const fromSeq = options.fromSeq ?? 0;
  const limit = options.limit ?? 1000;
  checkWhole('fromSeq', fromSeq);
  checkWhole('limit', limit, 1);
  const rows = await store.db
    .selectFrom('ledger_entries')
    .select(['stream', 'seq', 'time', 'leaf_hash', 'payload'])
    .where('stream', '=', stream)
    .where('seq', '>=', fromSeq)
    .orderBy('seq')
    .limit(Math.min(limit, 100_000))
    .execute();
  return rows.map((r) => ({
    stream: r.stream,
    seq: Number(r.seq),
    time: r.time,
    leafHash: r.leaf_hash,
    payload: r.payload,
  }));
}

/** The latest signed checkpoint of a stream, or null before the first one. */
export async function getCheckpoint(
  store: Store,
  stream: string,
): Promise<StoredCheckpoint | null> {
  const row = await store.db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('stream', '=', stream)
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        stream: row.stream,
        treeSize: Number(row.tree_size),
        rootHash: row.root_hash,
        time: row.time,
        note: row.note,
      }
    : null;
}

/** The number of entries of a stream (its tree size), from the stored rows. */
export async function countEntries(store: Store, stream: string): Promise<number> {
  const row = await store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('stream', '=', stream)
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

/** The Merkle tree hash of the stored leaves [start, end), read page by page in seq order. */
async function rangeHash(store: Store, stream: string, [start, end]: LeafRange): Promise<Buffer> {
  const frontier = createMerkleFrontier();
  for (let from = start; from < end; from += PAGE) {
    const rows = await store.db
      .selectFrom('ledger_entries')
      .select(['seq', 'leaf_hash'])
      .where('stream', '=', stream)
      .where('seq', '>=', from)
      .where('seq', '<', Math.min(from + PAGE, end))
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      if (Number(row.seq) !== start + frontier.size) break;
      frontier.append(Buffer.from(row.leaf_hash, 'hex'));
    }
    if (start + frontier.size !== Math.min(from + PAGE, end)) {
      throw ledgerError(
        LedgerErrorCodes.CHAIN_BROKEN,
        `stream ${stream}: entry ${start + frontier.size} is missing`,
      );
    }
  }
  return frontier.root();
}

async function treeSizeOrLatest(
  store: Store,
  stream: string,
  treeSize: number | undefined,
): Promise<number> {
  const size = treeSize ?? (await getCheckpoint(store, stream))?.treeSize;
  if (size === undefined)
    throw ledgerError(LedgerErrorCodes.PROOF_RANGE, `stream ${stream} has no checkpoint yet`);
  const stored = await countEntries(store, stream);
  if (size > stored)
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `tree size ${size} exceeds the ${stored} entries of ${stream}`,
    );
  return size;
}

/** An inclusion proof: hex hashes, nearest sibling first (RFC 9162 §2.1.3). */
export interface InclusionProof {
  readonly seq: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly proof: string[];
}

/**
 * Proves that entry `seq` is in the tree of `treeSize` entries (default: the latest
 * checkpoint), to be checked with verifyInclusion against that checkpoint's root.
 */
export async function proveInclusion(
  store: Store,
  stream: string,
  seq: number,
  treeSize?: number,
): Promise<InclusionProof> {
  const size = await treeSizeOrLatest(store, stream, treeSize);
  const ranges = inclusionProofRanges(seq, size);
  const [entry] = await readEntries(store, stream, { fromSeq: seq, limit: 1 });
  if (!entry || entry.seq !== seq)
    throw ledgerError(LedgerErrorCodes.CHAIN_BROKEN, `stream ${stream}: entry ${seq} is missing`);
  const proof: string[] = [];
  for (const range of ranges) proof.push((await rangeHash(store, stream, range)).toString('hex'));
  return { seq, treeSize: size, leafHash: entry.leafHash, proof };
}

/** A consistency proof between two tree sizes: hex hashes (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  readonly oldSize: number;
  readonly newSize: number;
  readonly proof: string[];
}

/** Proves that the tree of `newSize` entries extends the one of `oldSize` (append-only). */
export async function proveConsistency(
  store: Store,
  stream: string,
  oldSize: number,
  newSize?: number,
): Promise<ConsistencyProof> {
  const size = await treeSizeOrLatest(store, stream, newSize);
  const ranges = consistencyProofRanges(oldSize, size);
  const proof: string[] = [];
  for (const range of ranges) proof.push((await rangeHash(store, stream, range)).toString('hex'));
  return { oldSize, newSize: size, proof };
}
