import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// `aisoc verify` on model-transparency's published keyless signature, offline, against
// Sigstore's public-good trusted root (both vendored; see test/fixtures/*/README.md).
const fixtures = join(import.meta.dirname, '..', 'fixtures');
const model = join(fixtures, 'model-transparency', 'v1.1.0-sigstore');
const keyless = [
  'verify',
  model,
  '--signature',
  join(model, 'model.sig'),
  '--ignore-path',
  join(model, 'ignore-me'),
  '--sigstore-trusted-root',
  join(fixtures, 'sigstore', 'trusted_root.json'),
];
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';

describe('aisoc verify --sigstore-trusted-root (real CLI)', { timeout: 120_000 }, () => {
  it('verifies the signer, the log entry and the model, and names the signer', async () => {
    const r = await runCli([
      ...keyless,
      '--identity',
      'stefanb@us.ibm.com',
      '--oidc-issuer',
      ISSUER,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /Verification succeeded: 2 file\(s\), sha256 [0-9a-f]{64}, signed by stefanb@us\.ibm\.com/,
    );
  });

  it('exits 3 for another identity, and 2 when the identity policy is incomplete', async () => {
    const other = await runCli([
      ...keyless,
      '--identity',
      'mallory@example.com',
      '--oidc-issuer',
      ISSUER,
    ]);
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(
      /REGISTRY_SIGNATURE_INVALID: keyless signature is valid but its signer is not allowed/,
    );
    const partial = await runCli([...keyless, '--identity', 'stefanb@us.ibm.com']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/needs --identity and --oidc-issuer/);
  });
});
