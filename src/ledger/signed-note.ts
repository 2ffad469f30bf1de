import { createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { ledgerError, LedgerErrorCodes } from './errors.js';

// The C2SP signed-note format (c2sp.org/signed-note), as golang.org/x/mod/sumdb/note writes
// it: text, a blank line, then one `— <name> <base64(key id || signature)>` line per signer.

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 '; // EM DASH, SPACE
const MAX_SIGNATURES = 100;

/** The public half of a note signer: what `<name>+<hex id>+<base64 key>` encodes. */
export interface NoteVerifierKey {
  readonly name: string;
  readonly keyId: Buffer; // 4 bytes
  readonly publicKey: Buffer; // 32-byte Ed25519 public key
}

/** What signs notes: a name and an Ed25519 private key. */
export interface NoteSigner extends NoteVerifierKey {
  readonly privateKey: KeyObject;
}

/** One signature line of a note, undecoded beyond its key id. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

/** Key names are non-empty, without Unicode white space or '+' (c2sp.org/signed-note). */
export function checkKeyName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /[\s+]/u.test(name)) {
    throw ledgerError(
      LedgerErrorCodes.KEY_INVALID,
      `key name ${JSON.stringify(name)} must be non-empty, without spaces or '+'`,
    );
  }
}

/** The key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key). */
export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  const material = Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([ALG_ED25519]), publicKey]);
  return hash('sha256', material, 'buffer').subarray(0, 4);
}

/** The verifier key string `<name>+<hex key id>+<base64(0x01 || public key)>`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  checkKeyName(name);
  const material = Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString('base64');
  return `${name}+${noteKeyId(name, publicKey).toString('hex')}+${material}`;
}

/** Parses and checks a verifier key string; throws LEDGER_KEY_INVALID saying what is wrong. */
export function parseVerifierKey(text: string): NoteVerifierKey {
  const bad = (why: string) =>
    ledgerError(LedgerErrorCodes.KEY_INVALID, `verifier key ${JSON.stringify(text)}: ${why}`);
  const parts = typeof text === 'string' ? splitPlus(text, 3) : null;
  if (parts === null) throw bad('expected <name>+<hex key id>+<base64 key>');
  const [name, idHex, material] = parts as [string, string, string];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key id must be 8 lower-case hex digits');
  const raw = decodeBase64(material);
  if (raw === null) throw bad('key is not base64');
  if (raw.length !== 33 || raw[0] !== ALG_ED25519)
    throw bad('not an Ed25519 key (0x01 + 32 bytes)');
  const publicKey = raw.subarray(1);
  if (noteKeyId(name, publicKey).toString('hex') !== idHex) throw bad('key id does not match');
  return { name, keyId: Buffer.from(idHex, 'hex'), publicKey };
}

/** Splits on the first `count - 1` '+' signs (base64 key material may itself hold '+'). */
export function splitPlus(text: string, count: number): string[] | null {
  const parts: string[] = [];
  let rest = text;
  for (let i = 1; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return null;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

/** Strict standard base64 (with padding), or null: a re-encoding must give the same text. */
export function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export function signNote(text: string, signer: NoteSigner): string {
  checkNoteText(text);
  const signature = sign(null, Buffer.from(text), signer.privateKey);
  const blob = Buffer.concat([signer.keyId, signature]).toString('base64');
  return `${text}\n${SIG_PREFIX}${signer.name} ${blob}\n`;
}

function checkNoteText(text: string): void {
  if (!text.endsWith('\n')) throw noteError('note text must end with a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text))
    throw noteError('note text has a control character');
}

function noteError(message: string): Error {
  return ledgerError(LedgerErrorCodes.NOTE_INVALID, message);
}

/** Splits a note into its text and signature lines; throws LEDGER_NOTE_INVALID when malformed. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (typeof note !== 'string' || !note.endsWith('\n'))
    throw noteError('note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw noteError('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  checkNoteText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES)
    throw noteError(`note has more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { text, signatures };
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw noteError(`signature line ${n} does not start with "— "`);
  const rest = line.slice(SIG_PREFIX.length).split(' ');
  if (rest.length !== 2) throw noteError(`signature line ${n} is not "— <name> <signature>"`);
  const [name, blobText] = rest as [string, string];
  const blob = decodeBase64(blobText);
  if (name.length === 0 || name.includes('+') || blob === null || blob.length < 5) {
    throw noteError(`signature line ${n} has a bad name or signature`);
  }
  return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
}

/**
 * The note's text when a signature by `key` (same name and key id) verifies, else null.
 * Signatures by other keys are ignored, as the spec asks of verifiers. A key without a name
 * (e.g. from a PEM file) matches any signature line whose key id its name and key derive.
 */
export function openNote(
  note: string,
  key: NoteVerifierKey | { readonly publicKey: Buffer },
): string | null {
  const { text, signatures } = parseNote(note);
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') },
    format: 'jwk',
  });
  const message = Buffer.from(text);
  for (const s of signatures) {
    const keyId =
      'name' in key ? (s.name === key.name ? key.keyId : null) : noteKeyId(s.name, key.publicKey);
    if (keyId === null || !s.keyId.equals(keyId) || s.signature.length !== 64) continue;
    if (verify(null, message, publicKey, s.signature)) return text;
  }
  return null;
}
