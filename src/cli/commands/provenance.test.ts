import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSignCommand, runVerifyCommand } from './provenance.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-provenance-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
    },
  };
}

describe('aisoc sign and aisoc verify', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const privateKey = write(
    'key.pem',
    pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  const publicKey = write(
    'key.pub',
    pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  const otherKey = write(
    'other.pub',
    other.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  const model = join(dir, 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'weights.bin'), 'w');
  writeFileSync(join(model, 'notes.txt'), 'n');
  const signature = join(model, 'model.sig');

  it('signs into the model folder and verifies with exit 0, leaving the signature out', async () => {
    const s = io();
    expect(await runSignCommand(model, { privateKey, output: signature }, s.io)).toBe(0);
    expect(s.out.join('')).toContain('signed 2 file(s)');
    const v = io();
    expect(await runVerifyCommand(model, { signature, publicKey: [publicKey] }, v.io)).toBe(0);
    expect(v.out.join('')).toContain('Verification succeeded');
  });

  it('exits 3 naming the file when the model changed, and with the wrong key', async () => {
    writeFileSync(join(model, 'notes.txt'), 'changed');
    const v = io();
    expect(await runVerifyCommand(model, { signature, publicKey: [publicKey] }, v.io)).toBe(3);
    expect(v.err.join('')).toContain('notes.txt: digest mismatch');
    const w = io();
    expect(await runVerifyCommand(model, { signature, publicKey: [otherKey] }, w.io)).toBe(3);
    expect(w.err.join('')).toContain('REGISTRY_SIGNATURE_INVALID');
  });

  it('exits 3 once a signed file is ignored, and refuses a missing signature file as a usage error', async () => {
    const v = io();
    expect(
      await runVerifyCommand(
        model,
        { signature, publicKey: [publicKey], ignorePath: [join(model, 'notes.txt')] },
        v.io,
      ),
    ).toBe(3);
    // notes.txt is in the signed manifest, so ignoring it locally makes it missing.
    expect(v.err.join('')).toContain('notes.txt: missing');
    // A missing file is a bad argument (exit 2 via CLI_FILE_UNREADABLE), not a bad signature.
    await expect(
      runVerifyCommand(
        model,
        { signature: join(dir, 'nope.sig'), publicKey: [publicKey] },
        io().io,
      ),
    ).rejects.toMatchObject({
      code: 'CLI_FILE_UNREADABLE',
      message: /--signature: .*nope\.sig does not exist/,
    });
  });

  it('exits 2 unless exactly one of --public-key and --certificate-root is given', async () => {
    expect(await runVerifyCommand(model, { signature }, io().io)).toBe(2);
  });
});
