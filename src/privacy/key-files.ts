import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, stat } from 'node:fs/promises';
import { privacyError, PrivacyErrorCodes } from './errors.js';

/**
 * Wraps and unwraps data keys. The file KEK below is one implementation; an external KMS
 * (Vault transit, AWS KMS, PKCS#11) implements the same three members.
 */
export interface KeyWrapper {
  /** A short public id of the KEK, stored beside each wrapped key (to find stale ones). */
  readonly id: string;
  wrap(dataKey: Buffer, aad: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, aad: string): Promise<Buffer>;
}

/** Reads a 32-byte key file (base64url text), creating it 0600 when absent. */
export async function loadOrCreateKey(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => null);
  if (!info) {
    await writeKeyFile(file, randomBytes(32));
  } else if ((info.mode & 0o077) !== 0) {
    throw privacyError(
      PrivacyErrorCodes.PRIVACY_KEY_INVALID,
      `${file} is readable by group or others; run chmod 600 ${file}`,
    );
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  if (key.length !== 32)
    throw privacyError(
      PrivacyErrorCodes.PRIVACY_KEY_INVALID,
      `${file} must hold 32 bytes as base64url, it holds ${key.length}`,
    );
  return key;
}

/** Writes a key file atomically (temp file 0600, then rename over the old one). */
export async function writeKeyFile(file: string, key: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.toString('base64url')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** A KEK held in memory (read from a file): AES-256-GCM key wrapping with the subject as AAD. */
export function fileKeyWrapper(kek: Buffer): KeyWrapper {
  const id = createHash('sha256').update('aisoc-kek-id\0').update(kek).digest('hex').slice(0, 16);
  return {
    id,
    wrap(dataKey, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(Buffer.from(aad));
      const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return Promise.resolve(Buffer.concat([iv, ct, cipher.getAuthTag()]));
    },
    unwrap(wrapped, aad) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
        decipher.setAAD(Buffer.from(aad)).setAuthTag(wrapped.subarray(wrapped.length - 16));
        const key = Buffer.concat([
          decipher.update(wrapped.subarray(12, wrapped.length - 16)),
          decipher.final(),
        ]);
        return Promise.resolve(key);
      } catch (cause) {
        return Promise.reject(
          privacyError(
            PrivacyErrorCodes.PRIVACY_KEY_UNWRAP_FAILED,
            `a data key does not unwrap under KEK ${id}: ${(cause as Error).message}`,
          ),
        );
      }
    },
  };
}
