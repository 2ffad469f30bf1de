import { ledgerError, LedgerErrorCodes } from './errors.js';
import {
  decodeBase64,
  openNote,
  signNote,
  type NoteSigner,
  type NoteVerifierKey,
} from './signed-note.js';

/** A tree head as a checkpoint states it (c2sp.org/tlog-checkpoint). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

/** The checkpoint body: `<origin>\n<tree size>\n<base64 root hash>\n`. */
export function formatCheckpoint({ origin, size, root }: Checkpoint): string {
  if (origin.length === 0 || /[\n\r]/.test(origin)) {
    throw ledgerError(
      LedgerErrorCodes.NOTE_INVALID,
      'checkpoint origin must be one non-empty line',
    );
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw ledgerError(
      LedgerErrorCodes.NOTE_INVALID,
      `checkpoint size ${size} is not a whole number`,
    );
  }
  if (root.length !== 32)
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, 'root hash must be 32 bytes');
  return `${origin}\n${size}\n${root.toString('base64')}\n`;
}

/** Parses a checkpoint body (extension lines are allowed and ignored). */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (why: string) => ledgerError(LedgerErrorCodes.NOTE_INVALID, `checkpoint: ${why}`);
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '')
    throw bad('expected origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0) throw bad('origin line is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw bad(
      `tree size ${JSON.stringify(sizeText)} is not a decimal number without leading zeros`,
    );
  }
  const root = decodeBase64(rootText);
  if (root === null || root.length !== 32) throw bad('root hash is not 32 bytes of base64');
  if (lines.slice(3, -1).some((l) => l.length === 0)) throw bad('empty extension line');
  return { origin, size: Number(sizeText), root };
}

/** Signs a checkpoint as a C2SP signed note. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), signer);
}

/**
 * The checkpoint a note carries when `key` signed it (and, if given, its origin is `origin`);
 * null when no signature by `key` verifies. Throws LEDGER_NOTE_INVALID when malformed.
 */
export function verifyCheckpoint(
  note: string,
  key: NoteVerifierKey | { readonly publicKey: Buffer },
  origin?: string,
): Checkpoint | null {
  const text = openNote(note, key);
  if (text === null) return null;
  const checkpoint = parseCheckpoint(text);
  return origin === undefined || checkpoint.origin === origin ? checkpoint : null;
}
