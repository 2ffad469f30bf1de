import { open, type FileHandle } from 'node:fs/promises';
import { ledgerError, LedgerErrorCodes } from './errors.js';

// An auditor's own copy of the leaf hashes it verified under signed checkpoints, kept where
// the database's owner cannot write. A later run compares each entry with it, so a payload
// rewritten together with its leaf hash is named exactly, not by its checkpoint interval.
// The file is the raw 32-byte leaf hashes in seq order.

const LEAF = 32;
const PAGE = 4096;

/** Leaf hashes verified on earlier runs, and a place to keep the newly verified ones. */
export interface KnownLeaves {
  /** How many leaves the file holds. */
  readonly size: number;
  /** The kept leaf hash of entry `seq` (< size). */
  at(seq: number): Promise<Buffer>;
  /** Appends leaves verified on this run; `from` must equal the current size. */
  append(from: number, leaves: readonly Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens (creating with mode 0600) a known-leaves file. */
export async function openKnownLeaves(path: string): Promise<KnownLeaves> {
  const file: FileHandle = await open(path, 'a+', 0o600);
  const { size: bytes } = await file.stat();
  if (bytes % LEAF !== 0) {
    await file.close();
    throw ledgerError(
      LedgerErrorCodes.NOTE_INVALID,
      `${path} is not a known-leaves file (${bytes} bytes is not a multiple of ${LEAF})`,
    );
  }
  let size = bytes / LEAF;
  let page: { first: number; data: Buffer } | undefined;
  return {
    get size() {
      return size;
    },
    async at(seq) {
      if (!page || seq < page.first || seq >= page.first + page.data.length / LEAF) {
        const first = seq - (seq % PAGE);
        const count = Math.min(PAGE, size - first);
        const data = Buffer.alloc(count * LEAF);
        await file.read(data, 0, data.length, first * LEAF);
        page = { first, data };
      }
      const at = (seq - page.first) * LEAF;
      return page.data.subarray(at, at + LEAF);
    },
    async append(from, leaves) {
      if (from !== size)
        throw ledgerError(
          LedgerErrorCodes.OPTIONS_INVALID,
          `${path}: append at ${from}, not ${size}`,
        );
      if (leaves.length === 0) return;
      await file.appendFile(Buffer.concat(leaves as Buffer[]));
      await file.sync();
      size += leaves.length;
    },
    close: () => file.close(),
  };
}
