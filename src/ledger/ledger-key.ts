import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import {
  checkKeyName,
  decodeBase64,
  formatVerifierKey,
  noteKeyId,
  splitPlus,
  type NoteSigner,
} from './signed-note.js';

/** The file name createLedgerKey writes in its directory. */
export const LEDGER_KEY_FILE = 'ledger.key';

/** A ledger signing key: an Ed25519 key with a note key name. */
export interface LedgerKey extends NoteSigner {
  /** `<name>+<hex key id>+<base64 key>`, what verifiers and witnesses are given. */
  readonly verifierKey: string;
}

// PKCS#8 DER header for a raw Ed25519 seed (RFC 8410 §7); node:crypto takes no raw seeds.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function keyFromSeed(name: string, seed: Buffer): LedgerKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return keyFromPrivate(name, privateKey);
}

/** A LedgerKey from a name and an Ed25519 private KeyObject (e.g. one sent to a worker). */
export function keyFromPrivate(name: string, privateKey: KeyObject): LedgerKey {
  checkKeyName(name);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw ledgerError(LedgerErrorCodes.KEY_INVALID, 'ledger keys must be Ed25519');
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x!, 'base64url');
  return {
    name,
    privateKey,
    publicKey,
    keyId: noteKeyId(name, publicKey),
    verifierKey: formatVerifierKey(name, publicKey),
  };
}

/**
 * Creates a new signing key named `name` and writes it to `<dir>/<fileName>` (default
 * `ledger.key`) with mode 0600,
 * in the golang.org/x/mod/sumdb/note private key format. Refuses to overwrite a key.
 */
export async function createLedgerKey(
  dir: string,
  name: string,
  fileName = LEDGER_KEY_FILE,
): Promise<LedgerKey & { path: string }> {
  checkKeyName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = keyFromPrivate(name, privateKey);
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const text = `PRIVATE+KEY+${name}+${key.keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), seed]).toString('base64')}\n`;
  const path = join(dir, fileName);
  let file;
  try {
    file = await open(path, 'wx', 0o600); // 'wx': fail if it exists, never truncate a key
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw ledgerError(
        LedgerErrorCodes.KEY_EXISTS,
        `${path} exists; refusing to overwrite a signing key`,
      );
    }
    throw cause;
  }
  try {
    await file.chmod(0o600); // the umask may have narrowed it further, never widened it
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  return { ...key, path };
}

/** Loads a key file written by createLedgerKey; refuses one readable by group or others. */
export async function loadLedgerKey(path: string): Promise<LedgerKey> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw ledgerError(
      LedgerErrorCodes.KEY_INSECURE,
      `${path} has mode ${(info.mode & 0o777).toString(8)}; a signing key must be 0600 (chmod 600 ${path})`,
    );
  }
  return parseLedgerKey(await readFile(path, 'utf8'), path);
}

/** Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`, checking the key id. */
export function parseLedgerKey(text: string, where = 'key'): LedgerKey {
  const bad = (why: string) => ledgerError(LedgerErrorCodes.KEY_INVALID, `${where}: ${why}`);
  const parts = splitPlus(text.trim(), 5);
  if (parts === null || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw bad('expected PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  }
  const [, , name, idHex, material] = parts as [string, string, string, string, string];
  const raw = decodeBase64(material);
  if (raw === null || raw.length !== 33 || raw[0] !== 1)
    throw bad('not an Ed25519 seed (0x01 + 32 bytes)');
  const key = keyFromSeed(name, raw.subarray(1));
  if (key.keyId.toString('hex') !== idHex) throw bad('key id does not match the key');
  return key;
}

/** The public key as PEM (SubjectPublicKeyInfo) and as a signed-note verifier key string. */
export function exportPublicKey(key: LedgerKey): { pem: string; verifierKey: string } {
  const pem = createPublicKey(key.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  return { pem, verifierKey: key.verifierKey };
}
