import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import {
  createLedgerKey,
  exportPublicKey,
  keyFromPrivate,
  loadLedgerKey,
  parseLedgerKey,
} from './ledger-key.js';
import { openNote, parseNote, parseVerifierKey, signNote } from './signed-note.js';

// The example key and note of golang.org/x/mod/sumdb/note (its package documentation): Ed25519
// is deterministic (RFC 8032), so signing the same text must give the same bytes.
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-key-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('signed notes', () => {
  it('reproduce the reference note byte for byte and derive the reference verifier key', () => {
    const key = parseLedgerKey(SKEY);
    expect(key.verifierKey).toBe(VKEY);
    expect(key.keyId.toString('hex')).toBe('c74f20a3');
    expect(signNote(TEXT, key)).toBe(NOTE);
  });

  it('open with the right verifier key and not with another or after a change', () => {
    const vkey = parseVerifierKey(VKEY);
    expect(openNote(NOTE, vkey)).toBe(TEXT);
    expect(openNote(NOTE.replace('cryptography', 'cryptographY'), vkey)).toBeNull();
    // Another key claiming the same name and key id: its signature must not pass.
    const impostor = {
      ...keyFromPrivate('PeterNeumann', generateKeyPairSync('ed25519').privateKey),
      keyId: vkey.keyId,
    };
    expect(openNote(signNote(TEXT, impostor), vkey)).toBeNull();
  });

  it('reject malformed verifier keys with a stable code', () => {
    for (const bad of [
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3',
      'PeterNeumann+c74f20a3+!!!!',
      'PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ]) {
      expect(() => parseVerifierKey(bad), bad).toThrowError(
        expect.objectContaining({ code: 'LEDGER_KEY_INVALID' }),
      );
    }
  });

  it('reject malformed notes saying what is wrong', () => {
    expect(() => parseNote(TEXT)).toThrowError(/blank line/);
    expect(() => parseNote(NOTE.slice(0, -1))).toThrowError(/newline/);
    expect(() => parseNote(NOTE.replace('\u2014', '-'))).toThrowError(/does not start/);
    expect(() => parseNote(NOTE.replace('x08go', 'x08g!'))).toThrowError(/bad name or signature/);
    expect(() => signNote('no newline', parseLedgerKey(SKEY))).toThrowError(/newline/);
    expect(() => signNote('a\u0007\n', parseLedgerKey(SKEY))).toThrowError(/control/);
  });
});

describe('checkpoints', () => {
  const key = parseLedgerKey(SKEY);
  const root = Buffer.alloc(32, 7);

  it('are origin, size and base64 root, signed, and verify against the verifier key', () => {
    const note = signCheckpoint({ origin: 'aisoc.test/inference', size: 42, root }, key);
    expect(
      note.startsWith(
        `aisoc.test/inference\n42\n${root.toString('base64')}\n\n\u2014 PeterNeumann `,
      ),
    ).toBe(true);
    const vkey = parseVerifierKey(VKEY);
    expect(verifyCheckpoint(note, vkey, 'aisoc.test/inference')).toEqual({
      origin: 'aisoc.test/inference',
      size: 42,
      root,
    });
    expect(verifyCheckpoint(note, vkey, 'aisoc.test/audit')).toBeNull();
    expect(verifyCheckpoint(note.replace('\n42\n', '\n43\n'), vkey)).toBeNull();
  });

  it('refuse bodies that are not checkpoints', () => {
    expect(() => parseCheckpoint('o\n042\nAAAA\n')).toThrowError(/leading zeros/);
    expect(() => parseCheckpoint('o\n1\nAAAA\n')).toThrowError(/32 bytes/);
    expect(() => parseCheckpoint('o\n1\n')).toThrowError(/expected origin/);
    expect(() => parseCheckpoint(`\n1\n${root.toString('base64')}\n`)).toThrowError(/origin/);
  });
});

describe('ledger keys', () => {
  it('are written with mode 0600, load back, and export PEM and verifier key', async () => {
    const dir = await tempDir();
    const created = await createLedgerKey(dir, 'aisoc.test/ledger');
    expect((await stat(created.path)).mode & 0o777).toBe(0o600);
    const loaded = await loadLedgerKey(created.path);
    expect(loaded.verifierKey).toBe(created.verifierKey);
    const { pem, verifierKey } = exportPublicKey(loaded);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(parseVerifierKey(verifierKey).publicKey).toEqual(loaded.publicKey);
    expect(await readFile(created.path, 'utf8')).toMatch(
      /^PRIVATE\+KEY\+aisoc\.test\/ledger\+[0-9a-f]{8}\+/,
    );
  });

  it('are not overwritten and not loaded when group or others can read them', async () => {
    const dir = await tempDir();
    const created = await createLedgerKey(dir, 'k');
    await expect(createLedgerKey(dir, 'k')).rejects.toMatchObject({ code: 'LEDGER_KEY_EXISTS' });
    await chmod(created.path, 0o640);
    await expect(loadLedgerKey(created.path)).rejects.toMatchObject({
      code: 'LEDGER_KEY_INSECURE',
    });
  });

  it('refuse bad names and corrupt key files', async () => {
    const dir = await tempDir();
    await expect(createLedgerKey(dir, 'has space')).rejects.toMatchObject({
      code: 'LEDGER_KEY_INVALID',
    });
    const path = join(dir, 'bad.key');
    await writeFile(path, SKEY.replace('c74f20a3', 'c74f20a4'), { mode: 0o600 });
    await expect(loadLedgerKey(path)).rejects.toThrowError(/key id does not match/);
    await writeFile(path, 'hello', { mode: 0o600 });
    await expect(loadLedgerKey(path)).rejects.toMatchObject({ code: 'LEDGER_KEY_INVALID' });
  });
});
