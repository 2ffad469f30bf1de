import type { Store } from '../../store/index.js';
import { ledgerError, LedgerErrorCodes } from '../errors.js';
import { createMerkleFrontier, type MerkleFrontier } from '../merkle-frontier.js';
import { consistencyProofRanges, merkleRoot } from '../merkle-proof.js';

// Consistency proofs for the witness pusher without rereading the whole stream: every node of
// the proof from size m to n is either a subtree of the compact range of m (kept from the last
// push) or a subtree of the new leaves [m, n). So each push reads only the new leaf hashes.

const PAGE = 5000;

/** The compact range's subtrees keyed by their leaf range `start-end`. */
function frontierRanges(frontier: MerkleFrontier): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const hashes = frontier.toHex();
  let start = 0;
  let i = 0;
  for (let p = 2 ** Math.floor(Math.log2(Math.max(1, frontier.size))); p >= 1; p /= 2) {
    if (Math.floor(frontier.size / p) % 2 === 0) continue;
    out.set(`${start}-${start + p}`, Buffer.from(hashes[i++]!, 'hex'));
    start += p;
  }
  return out;
}

/**
 * The consistency proof from the tree whose compact range is `old` to that tree extended by
 * `leaves`, and the compact range of the new tree.
 */
export function extendWithProof(
  old: MerkleFrontier,
  leaves: readonly Buffer[],
): { proof: Buffer[]; frontier: MerkleFrontier } {
  const m = old.size;
  const known = frontierRanges(old);
  const proof = consistencyProofRanges(m, m + leaves.length).map(([a, b]) => {
    const hash =
      b <= m ? known.get(`${a}-${b}`) : a >= m ? merkleRoot(leaves.slice(a - m, b - m)) : undefined;
    if (!hash)
      throw ledgerError(LedgerErrorCodes.CHAIN_BROKEN, `no subtree [${a}, ${b}) for size ${m}`);
    return hash;
  });
  const frontier = old.clone();
  for (const leaf of leaves) frontier.append(leaf);
  return { proof, frontier };
}

/** The stored leaf hashes of [from, to), page by page; throws LEDGER_CHAIN_BROKEN on a gap. */
export async function storedLeaves(
  store: Store,
  stream: string,
  from: number,
  to: number,
): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let next = from; next < to;) {
    const rows = await store.db
      .selectFrom('ledger_entries')
      .select(['seq', 'leaf_hash'])
      .where('stream', '=', stream)
      .where('seq', '>=', next)
      .where('seq', '<', Math.min(next + PAGE, to))
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      if (Number(row.seq) !== from + out.length) break;
      out.push(Buffer.from(row.leaf_hash, 'hex'));
    }
    if (from + out.length !== Math.min(next + PAGE, to))
      throw ledgerError(
        LedgerErrorCodes.CHAIN_BROKEN,
        `stream ${stream}: entry ${from + out.length} is missing`,
      );
    next = from + out.length;
  }
  return out;
}

/** The compact range of the stream's first `size` stored leaves (reads them all: once per start). */
export async function storedFrontier(
  store: Store,
  stream: string,
  size: number,
): Promise<MerkleFrontier> {
  const frontier = createMerkleFrontier();
  for (let from = 0; from < size; from += PAGE * 10) {
    for (const leaf of await storedLeaves(store, stream, from, Math.min(size, from + PAGE * 10)))
      frontier.append(leaf);
  }
  return frontier;
}
