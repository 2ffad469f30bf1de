import { rename, readFile, writeFile } from 'node:fs/promises';
import { isAppError } from '../../core/index.js';
import { parseCheckpoint, verifyCheckpoint } from '../checkpoint.js';
import { ledgerError, LedgerErrorCodes } from '../errors.js';
import { EMPTY_ROOT } from '../merkle-hash.js';
import { decodeBase64, parseNote, type NoteSigner } from '../signed-note.js';
import { verifyConsistency } from '../verify-proof.js';
import { parsePublicKey } from '../verify-ledger.js';
import { cosign } from './cosignature.js';

// A witness in the style of c2sp.org/tlog-witness: it keeps the last checkpoint it saw per
// origin and cosigns a new one only when a consistency proof shows it extends that one, so a
// log cannot show the witness one history and an auditor another.

/** A log the witness accepts: checkpoints whose origin is `origin` or `<origin>/…`, signed by key. */
export interface WitnessedLog {
  readonly origin: string;
  /** Verifier key string (`name+id+key`) or PEM public key. */
  readonly publicKey: string;
}

export interface WitnessOptions {
  /** The witness's own signing key (it writes c2sp.org/tlog-cosignature v1 cosignatures). */
  readonly key: NoteSigner;
  /** Clock in milliseconds, for the cosignature time (tests). */
  readonly now?: () => number;
  readonly logs: readonly WitnessedLog[];
  /** JSON file holding the latest checkpoint per origin (written atomically, mode 0600). */
  readonly statePath: string;
}

interface OriginState {
  size: number;
  root: string; // base64
  // The log's note with the witness's cosignature line appended. State written by earlier
  // versions holds a plain signed-note line there; verifiers still read it, and the next
  // cosigned checkpoint for the origin replaces it with a v1 line.
  note: string;
}

/** What the HTTP layer answers. */
export interface WitnessReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface Witness {
  /** Handles an add-checkpoint request body: `old <size>`, proof lines, a blank line, the note. */
  add(body: string): Promise<WitnessReply>;
  /** The latest cosigned checkpoint of every origin, as a witness file (notes and blank lines). */
  checkpoints(): string;
}

/** Parses `old N\n<base64 hash>…\n\n<note>` (c2sp.org/tlog-witness add-checkpoint). */
export function parseAddCheckpoint(body: string): { old: number; proof: Buffer[]; note: string } {
  const bad = (why: string) => ledgerError(LedgerErrorCodes.NOTE_INVALID, `add-checkpoint: ${why}`);
  const split = body.indexOf('\n\n');
  if (split < 0) throw bad('expected "old <size>", proof lines, a blank line and the checkpoint');
  const [first, ...lines] = body.slice(0, split).split('\n');
  const match = /^old (0|[1-9][0-9]{0,15})$/.exec(first ?? '');
  if (!match) throw bad('the first line must be "old <size>"');
  const proof = lines.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === null || hash.length !== 32) throw bad(`proof line ${i + 1} is not a base64 hash`);
    return hash;
  });
  if (proof.length > 63) throw bad('more than 63 proof hashes');
  return { old: Number(match[1]), proof, note: body.slice(split + 2) };
}

/** Creates a witness over the given logs, loading its state file if there is one. */
export async function createWitness(options: WitnessOptions): Promise<Witness> {
  const logs = options.logs.map((l) => ({ origin: l.origin, key: parsePublicKey(l.publicKey) }));
  const state = await loadState(options.statePath);
  let queue: Promise<unknown> = Promise.resolve();
  const reply = (status: number, code: string, message: string): WitnessReply => ({
    status,
    contentType: 'application/json',
    body: JSON.stringify({ error: code, code, message, statusCode: status }),
  });

  async function addLocked(body: string): Promise<WitnessReply> {
    const { old, proof, note } = parseAddCheckpoint(body);
    const claimed = parseCheckpoint(parseNote(note).text);
    const log = logs.find(
      (l) => claimed.origin === l.origin || claimed.origin.startsWith(`${l.origin}/`),
    );
    const signed = log ? verifyCheckpoint(note, log.key) : null;
    if (signed === null) {
      const why = log ? 'is not signed by its pinned key' : 'has no pinned key here';
      return reply(403, LedgerErrorCodes.WITNESS_UNTRUSTED, `origin ${claimed.origin} ${why}`);
    }
    const seen = state[signed.origin] ?? { size: 0, root: EMPTY_ROOT.toString('base64'), note: '' };
    if (old !== seen.size)
      return { status: 409, contentType: 'text/x.tlog.size', body: `${seen.size}\n` };
    const oldRoot = Buffer.from(seen.root, 'base64');
    const consistent =
      signed.size < old
        ? false
        : signed.size === old
          ? proof.length === 0 && signed.root.equals(oldRoot)
          : old === 0
            ? proof.length === 0
            : verifyConsistency(old, signed.size, oldRoot, signed.root, proof);
    if (!consistent) {
      return reply(
        422,
        LedgerErrorCodes.WITNESS_PROOF_INVALID,
        `the checkpoint at size ${signed.size} is not proven to extend size ${old} of ${signed.origin}`,
      );
    }
    const text = parseNote(note).text;
    const cosignature = cosign(text, options.key, Math.floor((options.now ?? Date.now)() / 1000));
    state[signed.origin] = {
      size: signed.size,
      root: signed.root.toString('base64'),
      note: note + cosignature,
    };
    await saveState(options.statePath, state);
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: cosignature };
  }

  return {
    add(body) {
      const run = queue.then(async () => {
        try {
          return await addLocked(body);
        } catch (e) {
          if (isAppError(e)) return reply(400, e.code, e.message);
          throw e;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    checkpoints() {
      return Object.values(state)
        .map((s) => `${s.note}\n`)
        .join('');
    },
  };
}

async function loadState(path: string): Promise<Record<string, OriginState>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as { origins?: Record<string, OriginState> };
    return parsed.origins ?? {};
  } catch (cause) {
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, `${path} is not a witness state file`, {
      cause,
    });
  }
}

async function saveState(path: string, origins: Record<string, OriginState>): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, origins }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
