import { isAppError } from '../core/index.js';
import { parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { LedgerErrorCodes, type LedgerErrorCode } from './errors.js';
import { parseNote, type NoteVerifierKey } from './signed-note.js';

/** Checkpoints held outside the database (witness files, a witness), by tree size. */
export type Witnessed = Map<number, Buffer>;

/** Whether a checkpoint origin names `stream`: exactly `<origin>/<stream>`, or any `…/<stream>`. */
export function originMatches(cpOrigin: string, stream: string, origin?: string): boolean {
  return origin === undefined ? cpOrigin.endsWith(`/${stream}`) : cpOrigin === origin;
}

/**
 * The witnessed roots of one stream: the notes whose origin names the stream, each checked
 * against the ledger key (a witness's cosignature lines beside it are ignored). Returns a
 * problem when a note is malformed, not signed by the key, or two notes disagree at one size.
 */
export function witnessedRoots(
  notes: readonly string[],
  stream: string,
  key: NoteVerifierKey | { publicKey: Buffer },
  origin?: string,
): { roots: Witnessed } | { code: LedgerErrorCode; size: number; reason: string } {
  const roots: Witnessed = new Map();
  for (const note of notes) {
    let size = 0;
    try {
      const claimed = parseCheckpoint(parseNote(note).text);
      if (!originMatches(claimed.origin, stream, origin)) continue;
      size = claimed.size;
      const signed = verifyCheckpoint(note, key);
      if (signed === null) {
        return {
          code: LedgerErrorCodes.KEY_MISMATCH,
          size,
          reason: `the witnessed checkpoint at size ${size} is not signed by the ledger key`,
        };
      }
      const seen = roots.get(size);
      if (seen && !seen.equals(signed.root)) {
        return {
          code: LedgerErrorCodes.WITNESS_MISMATCH,
          size,
          reason: `two witnessed checkpoints at size ${size} have different roots (a forked log)`,
        };
      }
      roots.set(size, signed.root);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return {
        code: LedgerErrorCodes.NOTE_INVALID,
        size,
        reason: `a witnessed checkpoint is malformed: ${e.message}`,
      };
    }
  }
  return { roots };
}
