import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';

// The registry admits a keyless-signed version when registry.sigstore names its signer, beside
// key-signed ones, and says plainly what is missing when it does not.
const fixtures = join(import.meta.dirname, '..', 'fixtures');
const signed = join(fixtures, 'model-transparency', 'v1.1.0-sigstore');
const SIGNER = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

describe('registry approval of keyless Sigstore signatures', { timeout: 180_000 }, () => {
  const running: Awaited<ReturnType<typeof startTestAisoc>>[] = [];
  const start = async (sigstore?: object) => {
    const t = await startTestAisoc({
      registry: {
        integrityIntervalMs: 60_000,
        trustedKeys: [join(fixtures, 'model-transparency', 'keys', 'signing-key-pub.pem')],
        ...(sigstore ? { sigstore } : {}),
      },
    });
    running.push(t);
    const model = join(t.dir, 'keyless-model');
    mkdirSync(model);
    for (const f of ['signme-1', 'signme-2']) cpSync(join(signed, f), join(model, f));
    const cli = (...args: string[]) =>
      runCli(['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile, ...args]);
    const register = await cli(
      'registry',
      'register',
      'breast-cancer',
      'k1',
      model,
      '--signature',
      join(signed, 'model.sig'),
      // No --location: the files are hashed here and not scanned (two text files the scanner
      // rightly calls an unknown format), so approval turns on the signature alone.
      '--owner',
      'ml-team',
      '--format',
      'json',
    );
    expect(register.code, register.stderr).toBe(0);
    return cli;
  };
  afterAll(async () => {
    for (const t of running) await t.aisoc.close();
  });

  it('approves it against the pinned trusted root and the allowed identity', async () => {
    const cli = await start({
      trustedRoot: join(fixtures, 'sigstore', 'trusted_root.json'),
      identities: [SIGNER],
    });
    const r = await cli(
      'registry',
      'approve',
      'breast-cancer',
      'k1',
      '--reason',
      'keyless release',
      '--format',
      'json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).state).toBe('approved');
  });

  it('refuses it when only keys are trusted, or when another identity is allowed', async () => {
    const keysOnly = await start();
    const a = await keysOnly('registry', 'approve', 'breast-cancer', 'k1', '--reason', 'try');
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/keyless Sigstore signature/);
    const other = await start({
      trustedRoot: join(fixtures, 'sigstore', 'trusted_root.json'),
      identities: [{ identity: 'release@example.com', issuer: SIGNER.issuer }],
    });
    const b = await other('registry', 'approve', 'breast-cancer', 'k1', '--reason', 'try');
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/signer is not allowed/);
  });
});
