import { appendFile, readFile } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import { isAppError } from '../core/index.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { parseNote } from './signed-note.js';
import { proveConsistency } from './read-ledger.js';
import { verifyConsistency } from './verify-proof.js';

// A witness file is the stream's signed checkpoints, oldest first, each note followed by a
// blank line. Copies kept elsewhere (another host, a WORM bucket, a witness service) let a
// verifier catch a rewritten log: a rewrite cannot be consistent with what was exported.

/** The largest tree size already in a witness file (0 when the file is missing or empty). */
export async function lastExportedSize(file: string): Promise<number> {
  return (await lastExported(file))?.size ?? 0;
}

/** The largest checkpoint in a witness file, or null when the file is missing or empty. */
async function lastExported(file: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let last: Checkpoint | null = null;
  for (const note of splitWitnessFile(text, file)) {
    const checkpoint = parseCheckpoint(parseNote(note).text);
    if (last === null || checkpoint.size > last.size) last = checkpoint;
  }
  return last;
}

/**
 * Refuses to export from a database that no longer extends the file's last checkpoint: a
 * truncated stream, or another root at that size or no consistency proof to the next one.
 */
async function checkExtends(
  store: Store,
  stream: string,
  file: string,
  last: Checkpoint,
  next: { tree_size: number; note: string } | undefined,
): Promise<void> {
  if (next === undefined) {
    throw ledgerError(
      LedgerErrorCodes.TRUNCATED,
      `${file} holds a checkpoint at size ${last.size}, but stream ${stream} has no checkpoint that large: its tail was cut`,
    );
  }
  const size = Number(next.tree_size);
  const root = parseCheckpoint(parseNote(next.note).text).root;
  const proof =
    size === last.size ? [] : (await proveConsistency(store, stream, last.size, size)).proof;
  const hashes = proof.map((h) => Buffer.from(h, 'hex'));
  const consistent =
    size === last.size
      ? root.equals(last.root)
      : verifyConsistency(last.size, size, last.root, root, hashes);
  if (!consistent) {
    throw ledgerError(
      LedgerErrorCodes.WITNESS_MISMATCH,
      `stream ${stream} is not consistent with the checkpoint at size ${last.size} in ${file}: it was rewritten`,
    );
  }
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
  let exported: Checkpoint | null;
  try {
    exported = await lastExported(file);
  } catch (e) {
    if (isAppError(e))
      throw ledgerError(
        LedgerErrorCodes.NOTE_INVALID,
        `${file} is not a witness file: ${e.message}`,
        { cause: e },
      );
    throw e;
  }
  const last = exported?.size ?? 0;
  const all = await store.db
    .selectFrom('ledger_checkpoints')
    .select(['tree_size', 'note'])
    .where('stream', '=', stream)
    .where('tree_size', '>=', last)
    .orderBy('tree_size')
    .execute();
  if (exported) await checkExtends(store, stream, file, exported, all[0]);
  const rows = all.filter((r) => Number(r.tree_size) > last);
  if (rows.length > 0)
    await appendFile(file, rows.map((r) => `${r.note}\n`).join(''), { mode: 0o644 });
  return {
    appended: rows.length,
    treeSize: rows.length > 0 ? Number(rows[rows.length - 1]!.tree_size) : last,
  };
}
