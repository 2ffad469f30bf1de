import { createPublicKey } from 'node:crypto';
import type { Store } from '../store/index.js';
import { verifyCheckpoint } from './checkpoint.js';
import { isAppError } from '../core/index.js';
import { ledgerError, LedgerErrorCodes, type LedgerErrorCode } from './errors.js';
import type { KnownLeaves } from './known-leaves.js';
import { createMerkleFrontier, type MerkleFrontier } from './merkle-frontier.js';
import { EMPTY_ROOT, hashLeaf } from './merkle-hash.js';
import { parseVerifierKey, type NoteVerifierKey } from './signed-note.js';
import {
  entryProblem,
  entryPages,
  firstEntryProblem,
  isPrunedRow,
  prunedProblem,
  quickProblem,
} from './verify-entries.js';
import { listPrunes } from './prune.js';
import { witnessedRoots, type Witnessed } from './witnessed.js';

/** What verifyLedger found; `firstBad` names the first entry that cannot be trusted. */
export interface LedgerVerification {
  ok: boolean;
  /** Entries read and checked. */
  entries: number;
  /** Checkpoints whose signature and root verified. */
  checkpoints: number;
  /** Entries covered by the last verified checkpoint; later ones carry no signature yet. */
  signedSize: number;
  firstBad?: { seq: number; reason: string };
  /** Why verification failed, as a stable code (LEDGER_CHAIN_BROKEN, LEDGER_UNSIGNED_TAIL, …). */
  code?: LedgerErrorCode;
  /** Witnessed checkpoints the stream was checked against (only when witnesses were given). */
  witnessed?: number;
  /** Entries after the last checkpoint, when `allowUnsignedTail` let them pass. */
  unsigned?: number;
  /**
   * Entries whose payloads were pruned by a recorded prune (`aisoc ledger prune`): checked by
   * their kept leaf hashes against the signed roots, reported here and not as tampering.
   */
  pruned?: { entries: number; ranges: { from: number; to: number; before: string }[] };
}

export interface VerifyLedgerOptions {
  /** The ledger's public key: a verifier key string (`name+id+key`) or a PEM public key. */
  readonly publicKey: string;
  /** When given, every checkpoint's origin must be `<origin>/<stream>`. */
  readonly origin?: string;
  /** Parse every payload, even those a verified root covers (slower; default false). */
  readonly full?: boolean;
  /**
   * Entries no signed checkpoint covers fail verification (LEDGER_UNSIGNED_TAIL) unless this
   * is set: a live writer signs its tail within `checkpointEvery`, a stopped one at close and
   * a restarted one at open, so a stopped ledger has no unsigned tail.
   */
  readonly allowUnsignedTail?: boolean;
  /** Signed checkpoints kept outside the database (witness files, a witness's latest). */
  readonly witnesses?: readonly string[];
  /** Leaf hashes this auditor verified before; extended with the newly signed ones on success. */
  readonly knownLeaves?: KnownLeaves;
}

interface CheckpointRow {
  tree_size: number;
  root_hash: string;
  note: string;
}

type Problem = { code: LedgerErrorCode; reason: string };

/** Parses a verifier key string or a PEM Ed25519 public key. */
export function parsePublicKey(text: string): NoteVerifierKey | { publicKey: Buffer } {
  if (!text.trimStart().startsWith('-----BEGIN')) return parseVerifierKey(text.trim());
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return { publicKey: Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url') };
  } catch (cause) {
    throw ledgerError(
      LedgerErrorCodes.KEY_INVALID,
      `public key is not an Ed25519 PEM key: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Why a checkpoint does not hold for the entries read so far, or null when it does. */
function checkpointProblem(
  row: CheckpointRow,
  frontier: MerkleFrontier,
  key: ReturnType<typeof parsePublicKey>,
  origin: string | undefined,
): Problem | null {
  const size = Number(row.tree_size);
  const broken = (reason: string) => ({ code: LedgerErrorCodes.CHAIN_BROKEN, reason });
  let signed;
  try {
    signed = verifyCheckpoint(row.note, key, origin);
  } catch (e) {
    if (isAppError(e)) return broken(`checkpoint at size ${size} is malformed: ${e.message}`);
    throw e;
  }
  if (signed === null) {
    return {
      code: LedgerErrorCodes.KEY_MISMATCH,
      reason: `checkpoint at size ${size} is not signed by the ledger key${origin ? ` for origin ${origin}` : ''}`,
    };
  }
  if (signed.size !== size || signed.root.toString('hex') !== row.root_hash) {
    return broken(
      `checkpoint at size ${size}: its row does not match its signed note (size ${signed.size})`,
    );
  }
  if (!signed.root.equals(frontier.root())) {
    return broken(`entries before ${size} do not hash to the root signed at size ${size}`);
  }
  return null;
}

/**
 * Recomputes a stream from its stored entries: seq contiguity, each leaf hash from its
 * payload, the seq and stream inside each payload, the root at every checkpoint size and every
 * checkpoint signature; then compares the stream with witnessed checkpoints (a larger one
 * means truncation, another root a rewrite) and refuses entries no checkpoint covers. Stops at
 * the first problem and names the first entry in doubt. Entries under a checkpoint are parsed
 * only when its root fails (to name the entry); the unsigned tail is parsed always.
 */
export async function verifyLedger(
  store: Store,
  stream: string,
  options: VerifyLedgerOptions,
): Promise<LedgerVerification> {
  const key = parsePublicKey(options.publicKey);
  const origin = options.origin === undefined ? undefined : `${options.origin}/${stream}`;
  const checkpoints = await store.db
    .selectFrom('ledger_checkpoints')
    .select(['tree_size', 'root_hash', 'note'])
    .where('stream', '=', stream)
    .orderBy('tree_size')
    .execute();
  const lastCheckpoint =
    checkpoints.length > 0 ? Number(checkpoints[checkpoints.length - 1]!.tree_size) : 0;
  const result: LedgerVerification = { ok: true, entries: 0, checkpoints: 0, signedSize: 0 };
  const fail = (seq: number, reason: string, code: LedgerErrorCode) => {
    result.ok = false;
    result.firstBad = { seq, reason };
    result.code = code;
  };
  let witnessed: Witnessed = new Map();
  if (options.witnesses) {
    const found = witnessedRoots(options.witnesses, stream, key, origin);
    if (!('roots' in found)) {
      fail(found.size, found.reason, found.code);
      return result;
    }
    witnessed = found.roots;
    result.witnessed = witnessed.size;
  }
  const prunes = await listPrunes(store, stream);
  const prunedTo = prunes.length > 0 ? prunes[prunes.length - 1]!.toSeq : 0;
  if (prunes.length > 0)
    result.pruned = {
      entries: 0,
      ranges: prunes.map((p) => ({ from: p.fromSeq, to: p.toSeq, before: p.before })),
    };
  const known = options.knownLeaves;
  const fresh: Buffer[] = []; // leaves beyond what `known` holds, kept once all is verified
  const frontier = createMerkleFrontier();
  let agreed = 0; // the largest size whose root a witness vouched for
  let next = 0; // index into checkpoints
  const checkAt = async (size: number): Promise<void> => {
    for (; next < checkpoints.length && Number(checkpoints[next]!.tree_size) === size; next++) {
      const problem = checkpointProblem(checkpoints[next]!, frontier, key, origin);
      if (problem) {
        const entry = await firstEntryProblem(store, stream, result.signedSize, size, prunedTo);
        if (entry) return fail(entry.seq, entry.reason, LedgerErrorCodes.CHAIN_BROKEN);
        return fail(result.signedSize, problem.reason, problem.code);
      }
      result.checkpoints += 1;
      result.signedSize = size;
    }
    const root = witnessed.get(size);
    if (root === undefined) return;
    if (!root.equals(size === 0 ? EMPTY_ROOT : frontier.root())) {
      // The log's own checkpoints may have been re-signed: only the witness's word counts here.
      return fail(
        agreed,
        `entries before ${size} do not hash to the root witnessed at size ${size}`,
        LedgerErrorCodes.WITNESS_MISMATCH,
      );
    }
    agreed = size;
  };
  await checkAt(0);
  // The next size at which checkAt has something to compare: rows in between are checked
  // synchronously, page by page, with no promise per row.
  const sizes = [...new Set([...checkpoints.map((c) => Number(c.tree_size)), ...witnessed.keys()])]
    .filter((size) => size > 0)
    .sort((a, b) => a - b);
  let nextSize = 0;
  pages: for await (const page of entryPages(store, stream, 0)) {
    for (const row of page) {
      const seq = frontier.size;
      const pruned = isPrunedRow(row, seq, prunedTo);
      // A pruned entry's leaf is its kept hash: the signed root over it is what proves it.
      const leaf = pruned ? Buffer.from(row.leaf_hash, 'hex') : hashLeaf(row.payload);
      const problem = pruned
        ? (prunedProblem(row, seq, stream) ??
          (seq < lastCheckpoint ? null : `entry ${seq} is pruned but no checkpoint covers it`))
        : seq < lastCheckpoint && !options.full
          ? quickProblem(row, seq, leaf)
          : entryProblem(row, seq, stream, leaf);
      if (problem) {
        fail(seq, problem, LedgerErrorCodes.CHAIN_BROKEN);
        break pages;
      }
      if (known && seq < known.size && !leaf.equals(await known.at(seq))) {
        fail(
          seq,
          `entry ${seq} differs from the leaf hash verified on an earlier run`,
          LedgerErrorCodes.CHAIN_BROKEN,
        );
        break pages;
      }
      if (known && seq >= known.size) fresh.push(leaf);
      frontier.append(leaf);
      result.entries += 1;
      if (pruned) result.pruned!.entries += 1;
      while (nextSize < sizes.length && sizes[nextSize]! < frontier.size) nextSize++;
      if (sizes[nextSize] !== frontier.size) continue;
      await checkAt(frontier.size);
      if (!result.ok) break pages;
    }
  }
  if (result.ok) tailProblems(result, frontier.size, next < checkpoints.length, checkpoints[next]);
  if (result.ok && known && known.size > frontier.size) {
    fail(
      frontier.size,
      `leaves were verified up to ${known.size} on an earlier run, but the stream has ${frontier.size}`,
      LedgerErrorCodes.TRUNCATED,
    );
  }
  const beyond = [...witnessed.keys()].filter((size) => size > frontier.size);
  if (result.ok && beyond.length > 0) {
    fail(
      frontier.size,
      `a witnessed checkpoint covers ${Math.max(...beyond)} entries but the stream has ${frontier.size}`,
      LedgerErrorCodes.TRUNCATED,
    );
  }
  if (result.ok && frontier.size > result.signedSize) {
    if (options.allowUnsignedTail) result.unsigned = frontier.size - result.signedSize;
    else
      fail(
        result.signedSize,
        `entries ${result.signedSize} to ${frontier.size - 1} are covered by no signed checkpoint`,
        LedgerErrorCodes.UNSIGNED_TAIL,
      );
  }
  if (result.ok && known && result.signedSize > known.size)
    await known.append(known.size, fresh.slice(0, result.signedSize - known.size));
  return result;
}

/** A checkpoint that claims more entries than are stored. */
function tailProblems(
  result: LedgerVerification,
  size: number,
  pending: boolean,
  row: CheckpointRow | undefined,
): void {
  if (!pending || !row) return;
  result.ok = false;
  result.code = LedgerErrorCodes.CHAIN_BROKEN;
  result.firstBad = {
    seq: size,
    reason: `a checkpoint covers ${Number(row.tree_size)} entries but entry ${size} is missing`,
  };
}
