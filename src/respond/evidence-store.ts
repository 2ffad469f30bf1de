import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { respondError, RespondErrorCodes } from './errors.js';

/** A content-addressed store: an item's name is the SHA-256 of its bytes. */
export interface EvidenceStore {
  put(bytes: Uint8Array): Promise<{ digest: string; size: number }>;
  /** The bytes, checked against their digest (RESPOND_EVIDENCE_CORRUPT when they differ). */
  get(digest: string): Promise<Buffer>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A folder store: `<dir>/sha256/ab/<hex>`; writes go through a temp file and a rename. */
export function createFolderEvidenceStore(dir: string): EvidenceStore {
  const pathOf = (digest: string) => {
    if (!DIGEST.test(digest))
      throw respondError(
        RespondErrorCodes.RESPOND_EVIDENCE_UNKNOWN,
        `not an evidence digest: ${digest.slice(0, 80)}`,
      );
    const hex = digest.slice(7);
    return join(dir, 'sha256', hex.slice(0, 2), hex);
  };
  return {
    async put(bytes) {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const path = pathOf(digest);
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, bytes, { mode: 0o440 });
        await rename(tmp, path);
      }
      return { digest, size: bytes.byteLength };
    },
    async get(digest) {
      let bytes: Buffer;
      try {
        bytes = await readFile(pathOf(digest));
      } catch (cause) {
        throw respondError(
          RespondErrorCodes.RESPOND_EVIDENCE_UNKNOWN,
          `no evidence ${digest} in ${dir}`,
          { cause },
        );
      }
      const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (actual !== digest)
        throw respondError(
          RespondErrorCodes.RESPOND_EVIDENCE_CORRUPT,
          `evidence ${digest} was altered on disk (now ${actual})`,
        );
      return bytes;
    },
  };
}
