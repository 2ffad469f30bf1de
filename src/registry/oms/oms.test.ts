import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE, pae } from './bundle.js';
import { hashModel, rootDigest } from './model-manifest.js';
import { signModel } from './sign-model.js';
import { loadPublicKey, publicKeyHint } from './signing-keys.js';
import { verifyModelSignature, type TrustAnchor } from './verify-signature.js';
import {
  failure,
  MT_FIXTURES,
  readMt,
  theirKey,
  theirRoot,
} from '../../../test/support/model-transparency.js';

const FIXTURES = MT_FIXTURES;
const read = readMt;
const dir = mkdtempSync(join(tmpdir(), 'aisoc-oms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function model(
  files: Record<string, string> = { 'config.json': '{}', 'w/weights.bin': 'abc', 'a.txt': 'x' },
): string {
  const root = join(dir, `m${count++}`);
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), body);
  }
  return root;
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' });
const keys = (k: KeyObject): TrustAnchor => ({ kind: 'keys', keys: [k] });

/** A bundle over an arbitrary statement, really signed with `ec`: for hostile manifests. */
function signedStatement(statement: object, key = ec): string {
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = sign('sha256', pae(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey);
  return JSON.stringify({
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: publicKeyHint(key.publicKey) } },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  });
}

describe('signatures made by model-transparency', () => {
  for (const [folder, trust] of [
    ['v1.1.0-elliptic-key', theirKey],
    ['v1.0.1-elliptic-key', theirKey],
    ['v1.1.0-certificate', theirRoot],
    ['v1.0.1-certificate', theirRoot],
    ['v0.3.1-certificate', theirRoot],
  ] as const) {
    it(`verifies its ${folder} test signature and model`, async () => {
      const r = await verifyModelSignature(read(`${folder}/model.sig`), trust, {
        modelPath: join(FIXTURES, folder),
        ignorePaths: ['ignore-me', 'model.sig'],
      });
      expect(r.files.map((f) => f.path)).toEqual(['signme-1', 'signme-2']);
    });
  }

  for (const curve of ['prime256v1', 'secp384r1', 'secp521r1']) {
    it(`verifies its ${curve} key signature of a nested model (cross/theirs-${curve}.sig)`, async () => {
      const trust = keys(loadPublicKey(read(`cross/keys/${curve}.pub`)));
      const r = await verifyModelSignature(read(`cross/theirs-${curve}.sig`), trust, {
        modelPath: join(FIXTURES, 'cross/model'),
      });
      // Python orders paths by parts: a/b.txt before a.txt.
      expect(r.files.map((f) => f.path)).toEqual([
        'a/b.txt',
        'a.txt',
        'config.json',
        'sub/weights.bin',
      ]);
      const ours = await verifyModelSignature(read(`cross/ours-${curve}.sig`), trust, {
        modelPath: join(FIXTURES, 'cross/model'),
      });
      expect(ours.rootDigest).toBe(r.rootDigest);
    });
  }

  it('verifies its certificate signature through the intermediate to the root', async () => {
    const r = await verifyModelSignature(read('cross/theirs-cert.sig'), theirRoot, {
      modelPath: join(FIXTURES, 'cross/model'),
    });
    expect(r.signer.kind).toBe('certificate');
  });

  it('fails a certificate signature against an unrelated root', async () => {
    const other: TrustAnchor = {
      kind: 'certificates',
      roots: [new X509Certificate(read('keys/signing-key-cert.pem'))],
    };
    await failure(
      verifyModelSignature(read('cross/theirs-prime256v1.sig'), other),
      'REGISTRY_SIGNATURE_INVALID',
    );
    const e = await failure(
      verifyModelSignature(read('v1.1.0-certificate/model.sig'), {
        kind: 'certificates',
        roots: [],
      }),
      'REGISTRY_CERTIFICATE_INVALID',
    );
    expect(e.message).toContain('does not chain to a trusted root');
  });
});

describe('signModel and verifyModelSignature', () => {
  for (const [name, pair] of [
    ['ECDSA P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['ECDSA P-521', generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['Ed25519', generateKeyPairSync('ed25519')],
  ] as const) {
    it(`signs and verifies with ${name}`, async () => {
      const root = model();
      const { bundle, manifest } = await signModel(root, { privateKey: pem(pair.privateKey) });
      const r = await verifyModelSignature(JSON.stringify(bundle), keys(pair.publicKey), {
        modelPath: root,
      });
      expect(r.rootDigest).toBe(manifest.rootDigest);
    });
  }

  it('refuses RSA keys', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await failure(signModel(model(), { privateKey: pem(rsa.privateKey) }), 'REGISTRY_KEY_INVALID');
  });

  it('signs a single file as one resource named "."', async () => {
    const root = model({ 'm.onnx': 'onnx' });
    const { bundle } = await signModel(join(root, 'm.onnx'), { privateKey: pem(ec.privateKey) });
    const r = await verifyModelSignature(JSON.stringify(bundle), keys(ec.publicKey), {
      modelPath: join(root, 'm.onnx'),
    });
    expect(r.files.map((f) => f.path)).toEqual(['.']);
  });
});

describe('hostile signatures and models', () => {
  const signed = async (files?: Record<string, string>) => {
    const root = model(files);
    const { bundle } = await signModel(root, { privateKey: pem(ec.privateKey) });
    return { root, text: JSON.stringify(bundle), bundle };
  };

  it('fails a truncated signature as malformed', async () => {
    const { text } = await signed();
    await failure(
      verifyModelSignature(text.slice(0, text.length / 2), keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_MALFORMED',
    );
  });

  it('fails a forged signature and a payload changed after signing', async () => {
    const { bundle } = await signed();
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 1]! ^= 1;
    const forged = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: sig.toString('base64') }] },
    };
    await failure(
      verifyModelSignature(JSON.stringify(forged), keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_INVALID',
    );
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64')
      .toString()
      .replace('config.json', 'config.jsoN');
    const swapped = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(payload).toString('base64') },
    };
    await failure(
      verifyModelSignature(JSON.stringify(swapped), keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_INVALID',
    );
  });

  it('fails with another key, naming the key mismatch', async () => {
    const { text } = await signed();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const e = await failure(
      verifyModelSignature(text, keys(other.publicKey)),
      'REGISTRY_SIGNATURE_INVALID',
    );
    expect(e.message).toContain('another key');
  });

  it('names a file added after signing, a file removed and a file changed', async () => {
    const { root, text } = await signed({ 'a.json': '1', 'b.json': '2', 'c.json': '3' });
    writeFileSync(join(root, 'extra.bin'), 'x');
    unlinkSync(join(root, 'b.json'));
    writeFileSync(join(root, 'c.json'), '4');
    const e = await failure(
      verifyModelSignature(text, keys(ec.publicKey), { modelPath: root }),
      'REGISTRY_ARTIFACT_MISMATCH',
    );
    expect(e.message).toContain('b.json: missing; c.json: digest mismatch; extra.bin: unexpected');
  });

  it('refuses symbolic links inside the model, naming the link', async () => {
    const { root, text } = await signed();
    symlinkSync('/etc/hostname', join(root, 'link'));
    const e = await failure(
      verifyModelSignature(text, keys(ec.publicKey), { modelPath: root }),
      'REGISTRY_PATH_REFUSED',
    );
    expect(e.message).toContain('link: is a symbolic link');
  });

  it('refuses a signed manifest whose paths escape the model root', async () => {
    for (const name of ['../../etc/passwd', '/etc/passwd', 'a/../../x', 'a//b']) {
      const files = [{ path: name, digest: 'a'.repeat(64) }];
      const text = signedStatement({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'm', digest: { sha256: rootDigest(files) } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: {
          serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
          resources: [{ name, algorithm: 'sha256', digest: 'a'.repeat(64) }],
        },
      });
      const e = await failure(
        verifyModelSignature(text, keys(ec.publicKey)),
        'REGISTRY_SIGNATURE_MALFORMED',
      );
      expect(e.message).toContain('escapes the model root');
    }
  });

  it('refuses a signed manifest whose subject digest does not cover its resources', async () => {
    const text = signedStatement({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'm', digest: { sha256: 'b'.repeat(64) } }],
      predicateType: 'https://model_signing/signature/v1.0',
      predicate: {
        serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
        resources: [{ name: 'x', algorithm: 'sha256', digest: 'a'.repeat(64) }],
      },
    });
    const e = await failure(
      verifyModelSignature(text, keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_MALFORMED',
    );
    expect(e.message).toContain('manifest is inconsistent');
  });

  it('refuses other media types and more than one signature', async () => {
    const { bundle } = await signed();
    await failure(
      verifyModelSignature(JSON.stringify({ ...bundle, mediaType: 'x' }), keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_MALFORMED',
    );
    const two = {
      ...bundle,
      dsseEnvelope: {
        ...bundle.dsseEnvelope,
        signatures: [...bundle.dsseEnvelope.signatures, ...bundle.dsseEnvelope.signatures],
      },
    };
    await failure(
      verifyModelSignature(JSON.stringify(two), keys(ec.publicKey)),
      'REGISTRY_SIGNATURE_MALFORMED',
    );
  });

  it('hashes a model the same after it is copied elsewhere', async () => {
    const root = model();
    const copy = join(dir, 'copy');
    cpSync(root, copy, { recursive: true });
    expect((await hashModel(copy)).rootDigest).toBe((await hashModel(root)).rootDigest);
  });
});
