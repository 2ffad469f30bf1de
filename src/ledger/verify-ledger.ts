import { createPublicKey } from 'node:crypto';
import type { Store } from '../store/index.js';
import { verifyCheckpoint } from './checkpoint.js';
import { isAppError } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { createMerkleFrontier, type MerkleFrontier } from './merkle-frontier.js';
import { hashLeaf } from './merkle-hash.js';
import { parseVerifierKey, type NoteVerifierKey } from './signed-note.js';

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
}

export interface VerifyLedgerOptions {
  /** The ledger's public key: a verifier key string (`name+id+key`) or a PEM public key. */
  readonly publicKey: string;
  /** When given, every checkpoint's origin must be `<origin>/<stream>`. */
  readonly origin?: string;
  /** Parse every payload, even those a verified root covers (slower; default false). */
  readonly full?: boolean;
}

interface CheckpointRow {
  tree_size: number;
  root_hash: string;
  note: string;
}

const PAGE = 5000;

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
): string | null {
  const size = Number(row.tree_size);
  let signed;
  try {
    signed = verifyCheckpoint(row.note, key, origin);
  } catch (e) {
    if (isAppError(e)) return `checkpoint at size ${size} is malformed: ${e.message}`;
    throw e;
  }
  if (signed === null)
    return `checkpoint at size ${size} is not signed by the ledger key${origin ? ` for origin ${origin}` : ''}`;
  if (signed.size !== size || signed.root.toString('hex') !== row.root_hash) {
    return `checkpoint at size ${size}: its row does not match its signed note (size ${signed.size})`;
  }
  if (!signed.root.equals(frontier.root())) {
    return `entries before ${size} do not hash to the root signed at size ${size}`;
  }
  return null;
}

/** Why a stored entry is not what the writer wrote at `seq`, or null when it is. */
function entryProblem(
  row: { seq: number; time: string; leaf_hash: string; payload: string },
  seq: number,
  stream: string,
  leaf: Buffer,
): string | null {
  if (Number(row.seq) !== seq)
    return `entry ${seq} is missing (the next stored entry is ${row.seq})`;
  if (leaf.toString('hex') !== row.leaf_hash)
    return `stored leaf hash does not match the payload of entry ${seq}`;
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

type EntryRow = { seq: number; time: string; leaf_hash: string; payload: string };

/** The stored rows of a stream from `from` (inclusive) to `to` (exclusive), page by page. */
async function* entryRows(
  store: Store,
  stream: string,
  from: number,
  to = Infinity,
): AsyncGenerator<EntryRow> {
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
    yield* rows;
    if (rows.length < PAGE) return;
    next = Number(rows[rows.length - 1]!.seq) + 1;
  }
}

/**
 * The checks an entry covered by a verified checkpoint needs: the root already proves its
 * payload is what the writer signed, so only the columns beside it are compared.
 */
function quickProblem(row: EntryRow, seq: number, leaf: Buffer): string | null {
  if (Number(row.seq) !== seq)
    return `entry ${seq} is missing (the next stored entry is ${row.seq})`;
  if (leaf.toString('hex') !== row.leaf_hash)
    return `stored leaf hash does not match the payload of entry ${seq}`;
  if (!row.payload.includes(`"time":${JSON.stringify(row.time)}`))
    return `entry ${seq}: time column and payload time differ`;
  return null;
}

/** The first entry in [from, to) with a problem the full checks see, if any. */
async function firstEntryProblem(
  store: Store,
  stream: string,
  from: number,
  to: number,
): Promise<{ seq: number; reason: string } | null> {
  let seq = from;
  for await (const row of entryRows(store, stream, from, to)) {
    const reason = entryProblem(row, seq, stream, hashLeaf(row.payload));
    if (reason) return { seq, reason };
    seq += 1;
  }
  return null;
}

/**
 * Recomputes a stream from its stored entries: seq contiguity, each leaf hash from its
 * payload, the seq and stream inside each payload, the root at every checkpoint size and every
 * checkpoint signature. Stops at the first problem and names the first entry in doubt.
 * Entries under a checkpoint are parsed only when its root fails (to name the entry); the
 * unsigned tail is parsed always.
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
  const frontier = createMerkleFrontier();
  let next = 0; // index into checkpoints
  const fail = (seq: number, reason: string) => {
    result.ok = false;
    result.firstBad = { seq, reason };
  };
  const checkAt = async (size: number): Promise<void> => {
    for (; next < checkpoints.length && Number(checkpoints[next]!.tree_size) === size; next++) {
      const problem = checkpointProblem(checkpoints[next]!, frontier, key, origin);
      if (problem) {
        const entry = await firstEntryProblem(store, stream, result.signedSize, size);
        return entry ? fail(entry.seq, entry.reason) : fail(result.signedSize, problem);
      }
      result.checkpoints += 1;
      result.signedSize = size;
    }
  };
  await checkAt(0);
  for await (const row of entryRows(store, stream, 0)) {
    const seq = frontier.size;
    const leaf = hashLeaf(row.payload);
    const problem =
      seq < lastCheckpoint && !options.full
        ? quickProblem(row, seq, leaf)
        : entryProblem(row, seq, stream, leaf);
    if (problem) {
      fail(seq, problem);
      break;
    }
    frontier.append(leaf);
    result.entries += 1;
    await checkAt(frontier.size);
    if (!result.ok) break;
  }
  if (result.ok && next < checkpoints.length) {
    const size = Number(checkpoints[next]!.tree_size);
    fail(
      frontier.size,
      `a checkpoint covers ${size} entries but entry ${frontier.size} is missing`,
    );
  }
  return result;
}
