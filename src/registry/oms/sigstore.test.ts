import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyModelSignature, type TrustAnchor } from './verify-signature.js';
import {
  failure,
  MT_FIXTURES,
  readMt,
  theirKey,
  theirRoot,
} from '../../../test/support/model-transparency.js';

// Upstream's published signatures (sigstore/model-transparency scripts/tests, Apache-2.0),
// checked as upstream's own test-sign-verify-allversions.sh checks them with its current
// verifier, and Sigstore's public-good trusted root (sigstore-js packages/tuf/seeds.json).
const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');
const MT = MT_FIXTURES;
const read = readMt;
const trustedRoot = JSON.parse(
  readFileSync(join(FIXTURES, 'sigstore/trusted_root.json'), 'utf8'),
) as unknown;
const SIGNER = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
const keyless = (identities = [SIGNER]): TrustAnchor => ({
  kind: 'sigstore',
  trustedRoot,
  identities,
});
const dir = mkdtempSync(join(tmpdir(), 'aisoc-sigstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIGSTORE = ['v1.1.0-sigstore', 'v1.0.1-sigstore', 'v1.0.0-sigstore', 'v0.3.1-sigstore'];

describe('keyless Sigstore signatures made by model-transparency', () => {
  for (const folder of SIGSTORE) {
    it(`verifies ${folder} offline: chain, SCT, Rekor entry, identity, and the model`, async () => {
      const r = await verifyModelSignature(read(`${folder}/model.sig`), keyless(), {
        modelPath: join(MT, folder),
        ignorePaths: ['ignore-me', 'model.sig'],
      });
      expect(r.signer).toEqual({ kind: 'sigstore', ...SIGNER });
      expect(r.files.length).toBeGreaterThan(0);
    });
  }

  it('refuses a valid signature from another identity or issuer, naming the signer', async () => {
    for (const other of [
      { identity: 'mallory@example.com', issuer: SIGNER.issuer },
      { identity: SIGNER.identity, issuer: 'https://accounts.google.com' },
    ]) {
      const e = await failure(
        verifyModelSignature(read('v1.1.0-sigstore/model.sig'), keyless([other]), {}),
        'REGISTRY_SIGNATURE_INVALID',
      );
      expect(e.message).toMatch(/signer is not allowed/);
    }
  });

  it('fails a changed payload, a changed log entry and another trusted root', async () => {
    const bundle = JSON.parse(read('v1.0.1-sigstore/model.sig')) as {
      dsseEnvelope: { payload: string };
      verificationMaterial: { tlogEntries: { integratedTime: string }[] };
    };
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: { resources: { digest: string }[] };
    };
    payload.predicate.resources[0]!.digest = 'f'.repeat(64);
    const forged = structuredClone(bundle);
    forged.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    await failure(
      verifyModelSignature(JSON.stringify(forged), keyless(), {}),
      'REGISTRY_SIGNATURE_INVALID',
    );
    const moved = structuredClone(bundle);
    const entry = moved.verificationMaterial.tlogEntries[0]!;
    entry.integratedTime = String(Number(entry.integratedTime) + 1);
    await failure(
      verifyModelSignature(JSON.stringify(moved), keyless(), {}),
      'REGISTRY_SIGNATURE_INVALID',
    );
    const root = structuredClone(trustedRoot) as { tlogs: unknown[] };
    root.tlogs = [];
    await failure(
      verifyModelSignature(read('v1.0.1-sigstore/model.sig'), {
        kind: 'sigstore',
        trustedRoot: root,
        identities: [SIGNER],
      }),
      'REGISTRY_SIGNATURE_INVALID',
    );
  });

  it('names a changed model file after a valid keyless signature', async () => {
    const copy = join(dir, 'changed');
    cpSync(join(MT, 'v1.1.0-sigstore'), copy, { recursive: true });
    writeFileSync(join(copy, 'signme-1'), 'changed\n');
    const e = await failure(
      verifyModelSignature(read('v1.1.0-sigstore/model.sig'), keyless(), {
        modelPath: copy,
        ignorePaths: ['ignore-me', 'model.sig'],
      }),
      'REGISTRY_ARTIFACT_MISMATCH',
    );
    expect(e.message).toContain('signme-1');
  });

  it('says what is missing when a keyless signature meets only keys, and routes by kind', async () => {
    const e = await failure(
      verifyModelSignature(read('v1.1.0-sigstore/model.sig'), theirKey, {}),
      'REGISTRY_SIGNATURE_INVALID',
    );
    expect(e.message).toMatch(/Sigstore trusted root/);
    const both: TrustAnchor = { kind: 'any', anchors: [theirKey, keyless()] };
    const a = await verifyModelSignature(read('v1.1.0-sigstore/model.sig'), both, {});
    expect(a.signer.kind).toBe('sigstore');
    const b = await verifyModelSignature(read('v1.1.0-elliptic-key/model.sig'), both, {});
    expect(b.signer.kind).toBe('key');
    await failure(
      verifyModelSignature(read('v1.1.0-elliptic-key/model.sig'), keyless(), {}),
      'REGISTRY_SIGNATURE_INVALID',
    );
  });
});

describe('older model-transparency signatures that its current verifier still accepts', () => {
  it('verifies v1.0.0 and v0.3.1 key signatures of a single file', async () => {
    for (const folder of ['v1.0.0-elliptic-key', 'v0.3.1-elliptic-key']) {
      const r = await verifyModelSignature(read(`${folder}/model.sig`), theirKey, {
        modelPath: join(MT, folder, 'signme-1'),
      });
      expect(r.files).toHaveLength(1);
    }
  });

  it('verifies the v1.0.0 and v0.2.0 certificate signatures', async () => {
    for (const folder of ['v1.0.0-certificate', 'v0.2.0-certificate']) {
      const r = await verifyModelSignature(read(`${folder}/model.sig`), theirRoot, {
        modelPath: join(MT, folder),
        ignorePaths: ['ignore-me', 'model.sig'],
      });
      expect(r.files.map((f) => f.path)).toEqual(['signme-1', 'signme-2']);
    }
  });
});
