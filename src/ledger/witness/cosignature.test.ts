import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFromPrivate } from '../ledger-key.js';
import { signCheckpoint } from '../checkpoint.js';
import { parseNote, signNote } from '../signed-note.js';
import {
  cosign,
  formatCosignerKey,
  MAX_FUTURE_SKEW_S,
  parseCosignerKey,
  verifyCosignature,
} from './cosignature.js';
import { createWitness } from './witness.js';

// Vectors: the RFC 8032 test 1 key as witness "witness.example.com/w1" cosigning the
// c2sp.org/tlog-cosignature example checkpoint at the example's time. VKEY and LINE were made
// with Python's `cryptography` package from the spec's byte rules (not with this code):
//   id = sha256(name + b"\n" + b"\x04" + pk)[:4]
//   line = "— " + name + " " + b64(id + struct.pack(">Q", t) + sk.sign(b"cosignature/v1\ntime %d\n" % t + body))
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const NAME = 'witness.example.com/w1';
const BODY =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const TIME = 1679315147;
const VKEY = 'witness.example.com/w1+7e6f4aaa+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea';
const LEGACY_VKEY = 'witness.example.com/w1+92898dc2+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea';
const LINE =
  '\u2014 witness.example.com/w1 fm9KqgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/kmm5tlCr9sJ57DLErur7K0yDXc2ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==\n';
const LEGACY_LINE =
  '\u2014 witness.example.com/w1 komNwlNUsAicB1wXCuc36HrmzCfBx1ATQpTulWd9U006OEpyCvIVj2pM8CIzKlzXWcwxIO/VAQzkCO8DZUY5tlFX6QQ=\n';
// The witness line of the spec's own example (no key published): framing only.
const SPEC_LINE =
  'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';

const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const privateKey = createPrivateKey({
  key: { kty: 'OKP', crv: 'Ed25519', d: b64u(SEED), x: b64u(PUB) },
  format: 'jwk',
});
const witness = keyFromPrivate(NAME, privateKey);

/** A fixed Ed25519 key from a 32-byte seed of one repeated byte (PKCS#8 DER). */
function seedKey(byte: number) {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.alloc(32, byte),
  ]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

const other = keyFromPrivate(NAME, seedKey(0x11));
const key = parseCosignerKey(VKEY);
const NOW = TIME + 60;

/** Rewrites the decoded blob of a cosignature line. */
function editBlob(line: string, edit: (blob: Buffer) => void): string {
  const [prefix, name, b64] = line.trimEnd().split(' ') as [string, string, string];
  const blob = Buffer.from(b64, 'base64');
  edit(blob);
  return `${prefix} ${name} ${blob.toString('base64')}\n`;
}

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  it('matches the vectors built from the spec text with another implementation', () => {
    expect(witness.publicKey.toString('hex')).toBe(PUB);
    expect(formatCosignerKey(NAME, witness.publicKey)).toBe(VKEY);
    expect(cosign(BODY, witness, TIME)).toBe(LINE);
  });

  it('lays the line out as key id (0x04) || u64 BE time || Ed25519 over the v1 message', () => {
    const blob = Buffer.from(LINE.trimEnd().split(' ')[2]!, 'base64');
    expect(blob.length).toBe(4 + 8 + 64);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.from([0x04]), witness.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(blob.subarray(0, 4)).toEqual(id);
    expect(blob.readBigUInt64BE(4)).toBe(BigInt(TIME));
    const message = `cosignature/v1\ntime 1679315147\n${BODY}`;
    expect(sign(null, Buffer.from(message), privateKey)).toEqual(blob.subarray(12));
    // The spec's example line frames the same way and carries the example's time.
    const spec = Buffer.from(SPEC_LINE, 'base64');
    expect([spec.length, Number(spec.readBigUInt64BE(4))]).toEqual([76, TIME]);
  });

  it('verifies a v1 cosignature beside the log signature, and only that', () => {
    const note = `${BODY}\n${LINE}`;
    expect(verifyCosignature(note, key, NOW)).toEqual({ name: NAME, version: 'v1', time: TIME });
    expect(verifyCosignature(note, { publicKey: witness.publicKey }, NOW)).toMatchObject({
      version: 'v1',
    });
    expect(verifyCosignature(note, parseCosignerKey(LEGACY_VKEY), NOW)).not.toBeNull();
    const pem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyCosignature(note, parseCosignerKey(pem), NOW)).not.toBeNull();
  });

  it('refuses tampered cosignatures: time, key id, body, key, name, future, wrong message', () => {
    const at = (note: string) => verifyCosignature(note, key, NOW);
    const wrongTime = editBlob(LINE, (b) => b.writeBigUInt64BE(BigInt(TIME + 1), 4));
    expect(at(`${BODY}\n${wrongTime}`)).toBeNull();
    const wrongId = editBlob(LINE, (b) => b.writeUInt8(b.readUInt8(0) ^ 1, 0));
    expect(at(`${BODY}\n${wrongId}`)).toBeNull();
    const changedBody = BODY.replace('20852163', '20852164');
    expect(at(`${changedBody}\n${LINE}`)).toBeNull();
    expect(verifyCosignature(`${BODY}\n${LINE}`, other, NOW)).toBeNull();
    expect(at(`${BODY}\n${LINE.replace(NAME, 'witness.example.com/w2')}`)).toBeNull();
    const future = cosign(BODY, witness, NOW + MAX_FUTURE_SKEW_S + 1);
    expect(at(`${BODY}\n${future}`)).toBeNull();
    expect(at(`${BODY}\n${cosign(BODY, witness, NOW + MAX_FUTURE_SKEW_S)}`)).not.toBeNull();
    // A v1 key id over a signature of the bare body (no header) is not a cosignature.
    const bare = editBlob(LINE, (b) => sign(null, Buffer.from(BODY), privateKey).copy(b, 12));
    expect(at(`${BODY}\n${bare}`)).toBeNull();
    // A plain signed-note line by the key (0x01 id, no time) counts only as a legacy one.
    expect(at(signNote(BODY, witness))).toMatchObject({ version: 'legacy' });
  });

  it('still reads the plain signed-note cosignatures earlier witnesses wrote', () => {
    expect(signNote(BODY, witness)).toBe(`${BODY}\n${LEGACY_LINE}`);
    expect(verifyCosignature(`${BODY}\n${LEGACY_LINE}`, key, NOW)).toEqual({
      name: NAME,
      version: 'legacy',
    });
    const changed = BODY.replace('20852163', '20852164');
    expect(verifyCosignature(`${changed}\n${LEGACY_LINE}`, key, NOW)).toBeNull();
  });

  it('agrees with the keys and timestamps in transparency-dev/formats note_cosigv1_test.go', () => {
    // A native cosignature/v1 vkey (0x04): its key id checks only with the 0x04 derivation.
    const remora = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';
    const parsed = parseCosignerKey(remora);
    expect(formatCosignerKey(parsed.name!, parsed.publicKey)).toBe(remora);
    // A signed-note vkey (0x01) that the Go verifier converts; so do we.
    expect(
      parseCosignerKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6'),
    ).toMatchObject({ name: 'TEST' });
    expect(() => parseCosignerKey(remora.replace('da77ade7', '00000000'))).toThrow(/key id/);
    // Their "works" cosignature decodes to time 1727964367; their "wrong type" one is 68 bytes.
    const works = Buffer.from(
      'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
      'base64',
    );
    expect([works.length, Number(works.readBigUInt64BE(4))]).toEqual([76, 1727964367]);
  });

  it('parses witness keys strictly', () => {
    expect(parseCosignerKey(VKEY)).toEqual({ name: NAME, publicKey: witness.publicKey });
    expect(() => parseCosignerKey(VKEY.replace('7e6f4aaa', '7e6f4aab'))).toThrow(
      /LEDGER_KEY_INVALID|key id does not match/,
    );
    const type2 = `${NAME}+7e6f4aaa+${Buffer.concat([Buffer.from([2]), witness.publicKey]).toString('base64')}`;
    expect(() => parseCosignerKey(type2)).toThrow(/type byte 0x2/);
    expect(() => parseCosignerKey('nonsense')).toThrow(/expected <name>/);
  });
});

describe('the witness writes v1 cosignatures and keeps old state readable', () => {
  const logKey = keyFromPrivate('aisoc.test/ledger', seedKey(0x22));
  const cp = (size: number, fill: number) =>
    signCheckpoint({ origin: 'aisoc.test/audit', size, root: Buffer.alloc(32, fill) }, logKey);

  it('cosigns with its clock, and replaces a legacy line in its state on the next cosign', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-cosign-'));
    try {
      const statePath = join(dir, 'witness.json');
      const old = cp(3, 7);
      // State as an earlier version wrote it: the note with a plain signed-note line.
      const legacyNote = `${old}${signNote(parseNote(old).text, witness).slice(parseNote(old).text.length + 1)}`;
      const root = Buffer.alloc(32, 7).toString('base64');
      await writeFile(
        statePath,
        JSON.stringify({
          version: 1,
          origins: { 'aisoc.test/audit': { size: 3, root, note: legacyNote } },
        }),
      );
      const w = await createWitness({
        key: witness,
        logs: [{ origin: 'aisoc.test', publicKey: logKey.verifierKey }],
        statePath,
        now: () => NOW * 1000,
      });
      expect(verifyCosignature(w.checkpoints().slice(0, -1), key, NOW)).toMatchObject({
        version: 'legacy',
      });

      const same = await w.add(`old 3\n\n${old}`);
      expect(same.status).toBe(200);
      expect(verifyCosignature(`${parseNote(old).text}\n${same.body}`, key, NOW)).toEqual({
        name: NAME,
        version: 'v1',
        time: NOW,
      });
      expect(verifyCosignature(w.checkpoints().slice(0, -1), key, NOW)).toMatchObject({
        version: 'v1',
      });
      const saved = JSON.parse(await readFile(statePath, 'utf8')) as {
        origins: Record<string, { note: string }>;
      };
      expect(saved.origins['aisoc.test/audit']!.note).toBe(`${old}${same.body}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
