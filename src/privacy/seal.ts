import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { RecordedPrivacy } from '../core/index.js';

export type Sealed = NonNullable<RecordedPrivacy['sealed']>;

/** AES-256-GCM (NIST SP 800-38D) of `plain` under a subject's data key; `aad` binds it to the event. */
// Deterministic IV construction (NIST SP 800-38D §8.2.1): a random 8-byte field per process
// and a 4-byte counter, renewed before the counter wraps. Saves a random draw per event.
let ivField = randomBytes(8);
let ivCounter = 0;
function nextIv(): Buffer {
  if (ivCounter === 0xffffffff) {
    ivField = randomBytes(8);
    ivCounter = 0;
  }
  const iv = Buffer.allocUnsafe(12);
  ivField.copy(iv, 0);
  iv.writeUInt32BE(ivCounter++, 8);
  return iv;
}

export function seal(key: Buffer, keyRef: string, aad: string, plain: string): Sealed {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    key: keyRef,
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** The clear text of a sealed value; throws when the key or the bytes are wrong. */
export function unseal(key: Buffer, aad: string, sealed: Sealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad)).setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ct, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

/** The AAD of an event's sealed fields: its id and the key that sealed them. */
export const sealAad = (eventId: string, keyRef: string) => `aisoc-sealed\0${eventId}\0${keyRef}`;

/** What createHasher returns. */
export interface Hasher {
  /** The pseudonym a subject id is recorded and looked up by. */
  subjectRef: (subject: string) => string;
  /** The `hash` policy: stable across fields and models, for joins. */
  field: (value: unknown) => string;
}

/** Keyed hashes (HMAC-SHA-256, RFC 2104), domain-separated so a field hash is no pseudonym. */
export function createHasher(hmacKey: Buffer): Hasher {
  const mac = (domain: string, value: string) =>
    createHmac('sha256', hmacKey).update(domain).update('\0').update(value).digest('hex');
  return {
    /** The pseudonym a subject id is recorded and looked up by. */
    subjectRef: (subject: string) => `ps_${mac('subject', subject).slice(0, 32)}`,
    /** The `hash` policy: stable across fields and models, for joins. */
    field: (value: unknown) => `hmac:${mac('field', JSON.stringify(value)).slice(0, 32)}`,
  };
}
