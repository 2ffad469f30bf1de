import { createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { ledgerError, LedgerErrorCodes } from '../errors.js';
import { parsePublicKey } from '../verify-ledger.js';
import {
  checkKeyName,
  decodeBase64,
  noteKeyId,
  parseNote,
  splitPlus,
  type NoteSigner,
} from '../signed-note.js';

// Witness cosignatures as c2sp.org/tlog-cosignature defines them (cosignature/v1): a note
// signature line whose key id is derived with algorithm byte 0x04 and whose signature is
// u64 big-endian timestamp || Ed25519 signature over
//   "cosignature/v1\ntime <seconds>\n" || checkpoint body.
// Witnesses of earlier aisoc versions wrote plain signed-note signatures (0x01 key id, the
// body alone); verifiers still accept those, reported as 'legacy', so stored state stays readable.

const ALG_COSIGNATURE_V1 = 0x04;
const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
const MAX_TIMESTAMP = 2n ** 63n - 1n;
/** Cosignatures dated further ahead than this are refused (the spec lets verifiers do so). */
export const MAX_FUTURE_SKEW_S = 600;

/** A cosigner as verifiers know it: name and Ed25519 public key (a PEM key has no name). */
export interface CosignerKey {
  readonly name?: string;
  readonly publicKey: Buffer;
}

/** A verified cosignature. */
export interface Cosignature {
  readonly name: string;
  /** 'v1': cosignature/v1; 'legacy': a plain signed-note signature (no time). */
  readonly version: 'v1' | 'legacy';
  /** Seconds since the epoch the witness stated (v1 only). */
  readonly time?: number;
}

/** The cosignature/v1 key id: SHA-256(name || 0x0A || 0x04 || public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Buffer {
  const material = Buffer.concat([
    Buffer.from(`${name}\n`),
    Buffer.from([ALG_COSIGNATURE_V1]),
    publicKey,
  ]);
  return hash('sha256', material, 'buffer').subarray(0, 4);
}

/** The cosigner verifier key `<name>+<hex key id>+<base64(0x04 || public key)>`. */
export function formatCosignerKey(name: string, publicKey: Uint8Array): string {
  checkKeyName(name);
  const material = Buffer.concat([Buffer.from([ALG_COSIGNATURE_V1]), publicKey]);
  return `${name}+${cosignatureKeyId(name, publicKey).toString('hex')}+${material.toString('base64')}`;
}

/**
 * Parses a witness key: a cosigner vkey (type 0x04) or, as earlier configs hold, a signed-note
 * vkey (type 0x01) or PEM of the same Ed25519 key. Throws LEDGER_KEY_INVALID saying what is wrong.
 */
export function parseCosignerKey(text: string): CosignerKey {
  if (typeof text === 'string' && text.trimStart().startsWith('-----BEGIN')) {
    return parsePublicKey(text) as CosignerKey;
  }
  const bad = (why: string) =>
    ledgerError(LedgerErrorCodes.KEY_INVALID, `witness key ${JSON.stringify(text)}: ${why}`);
  const parts = typeof text === 'string' ? splitPlus(text.trim(), 3) : null;
  if (parts === null) throw bad('expected <name>+<hex key id>+<base64 key>');
  const [name, idHex, material] = parts as [string, string, string];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key id must be 8 lower-case hex digits');
  const raw = decodeBase64(material);
  if (raw === null || raw.length !== 33) throw bad('key is not base64 of a type byte + 32 bytes');
  const publicKey = raw.subarray(1);
  const expected =
    raw[0] === ALG_COSIGNATURE_V1
      ? cosignatureKeyId(name, publicKey)
      : raw[0] === ALG_ED25519
        ? noteKeyId(name, publicKey)
        : null;
  if (expected === null) throw bad(`type byte 0x${raw[0]!.toString(16)} is not 0x04 or 0x01`);
  if (expected.toString('hex') !== idHex) throw bad('key id does not match');
  return { name, publicKey: Buffer.from(publicKey) };
}

/** The message a cosignature/v1 signs. */
export function cosignedMessage(body: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`);
}

function checkTime(time: number): void {
  if (!Number.isSafeInteger(time) || time < 0 || BigInt(time) > MAX_TIMESTAMP) {
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, `cosignature time ${time} is out of range`);
  }
}

/** The cosignature/v1 line (ending in a newline) over a checkpoint body, at `time` seconds. */
export function cosign(
  body: string,
  signer: Pick<NoteSigner, 'name' | 'publicKey' | 'privateKey'>,
  time: number,
): string {
  checkTime(time);
  if (!body.endsWith('\n'))
    throw ledgerError(LedgerErrorCodes.NOTE_INVALID, 'checkpoint body must end with a newline');
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(time));
  const signature = sign(null, cosignedMessage(body, time), signer.privateKey);
  const blob = Buffer.concat([cosignatureKeyId(signer.name, signer.publicKey), stamp, signature]);
  return `${SIG_PREFIX}${signer.name} ${blob.toString('base64')}\n`;
}

function edKey(publicKey: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
}

/**
 * The cosignature by `key` on a note (its body and signature lines), or null when none verifies.
 * Lines by other names or key ids are ignored (a key without a name matches any name whose key
 * id it derives). A v1 cosignature dated more than
 * MAX_FUTURE_SKEW_S past `nowS` does not count. Throws LEDGER_NOTE_INVALID when malformed.
 */
export function verifyCosignature(
  note: string,
  key: CosignerKey,
  nowS: number = Math.floor(Date.now() / 1000),
): Cosignature | null {
  const { text, signatures } = parseNote(note);
  const publicKey = edKey(key.publicKey);
  for (const s of signatures) {
    if (key.name !== undefined && s.name !== key.name) continue;
    const v1Id = cosignatureKeyId(s.name, key.publicKey);
    const legacyId = noteKeyId(s.name, key.publicKey);
    if (s.keyId.equals(v1Id) && s.signature.length === 72) {
      const stamp = s.signature.readBigUInt64BE(0);
      if (stamp > MAX_TIMESTAMP || stamp > BigInt(nowS + MAX_FUTURE_SKEW_S)) continue;
      const time = Number(stamp);
      if (verify(null, cosignedMessage(text, time), publicKey, s.signature.subarray(8)))
        return { name: s.name, version: 'v1', time };
    } else if (s.keyId.equals(legacyId) && s.signature.length === 64) {
      if (verify(null, Buffer.from(text), publicKey, s.signature))
        return { name: s.name, version: 'legacy' };
    }
  }
  return null;
}
