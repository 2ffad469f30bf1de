import { appendFile, readFile } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import { isAppError } from '../core/index.js';
import { parseCheckpoint } from './checkpoint.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { parseNote } from './signed-note.js';

// A witness file is the stream's signed checkpoints, oldest first, each note followed by a
// blank line. Copies kept elsewhere (another host, a WORM bucket, a witness service) let a
// verifier catch a rewritten log: a rewrite cannot be consistent with what was exported.

/** The largest tree size already in a witness file (0 when the file is missing or empty). */
export async function lastExportedSize(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  return splitWitnessFile(text, file).reduce((max, note) => {
    return Math.max(max, parseCheckpoint(parseNote(note).text).size);
  }, 0);
}

/** The notes of a witness file, each as written (ending in a newline). */
export function splitWitnessFile(text: string, where = 'witness file'): string[] {
  if (text.length === 0) return [];
  if (!text.endsWith('\n\n'))
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, `${where}: does not end with a blank line`);
  const blocks = text.slice(0, -2).split('\n\n');
  if (blocks.length % 2 !== 0)
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, `${where}: a note has no signature block`);
  const notes: string[] = [];
  for (let i = 0; i < blocks.length; i += 2) notes.push(`${blocks[i]}\n\n${blocks[i + 1]}\n`);
  return notes;
}

/**
 * Appends to `file` the stream's checkpoints newer than the last one it holds; returns how
 * many were appended and the tree size the file now reaches.
 */
export async function exportCheckpoints(
  store: Store,
  stream: string,
  file: string,
): Promise<{ appended: number; treeSize: number }> {
  let last: number;
  try {
    last = await lastExportedSize(file);
  } catch (e) {
    if (isAppError(e))
      throw ledgerError(
        LedgerErrorCodes.NOTE_INVALID,
        `${file} is not a witness file: ${e.message}`,
        { cause: e },
      );
    throw e;
  }
  const rows = await store.db
    .selectFrom('ledger_checkpoints')
    .select(['tree_size', 'note'])
    .where('stream', '=', stream)
    .where('tree_size', '>', last)
    .orderBy('tree_size')
    .execute();
  if (rows.length > 0)
    await appendFile(file, rows.map((r) => `${r.note}\n`).join(''), { mode: 0o644 });
  return {
    appended: rows.length,
    treeSize: rows.length > 0 ? Number(rows[rows.length - 1]!.tree_size) : last,
  };
}
