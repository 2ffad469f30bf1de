import type { X509Certificate } from 'node:crypto';
import { sign } from 'node:crypto';
import { registryError } from '../errors.js';
import {
  BUNDLE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  OMS_PREDICATE_TYPE,
  pae,
  type SignatureBundle,
} from './bundle.js';
import { parsePemCertificates } from './certificate-chain.js';
import { DEFAULT_IGNORED_PATHS, hashModel, type ModelManifest } from './model-manifest.js';
import { loadPrivateKey, publicKeyHint, signingHash } from './signing-keys.js';

export interface SignModelOptions {
  /** PEM private key (ECDSA P-256/P-384/P-521 or Ed25519). */
  privateKey: string | Buffer;
  passphrase?: string;
  /** PEM signing certificate for that key, and the intermediates to ship beside it. */
  certificate?: string;
  chain?: readonly string[];
  /** Paths (relative to the model root) left out, e.g. the signature file itself. */
  ignorePaths?: readonly string[];
  allowSymlinks?: boolean;
}

/** The in-toto statement OMS v1.0 signs: one subject (root digest), every file in the predicate. */
export function buildStatement(manifest: ModelManifest, allowSymlinks: boolean): object {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: manifest.name, digest: { sha256: manifest.rootDigest } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization: {
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: allowSymlinks,
        ...(manifest.ignorePaths.length > 0 ? { ignore_paths: manifest.ignorePaths } : {}),
      },
      resources: manifest.files.map((f) => ({
        name: f.path,
        algorithm: 'sha256',
        digest: f.digest,
      })),
    },
  };
}

function verificationMaterial(
  options: SignModelOptions,
  hint: string,
): SignatureBundle['verificationMaterial'] {
  if (options.certificate === undefined) return { publicKey: { hint }, tlogEntries: [] };
  const leaf = parsePemCertificates(options.certificate, 'certificate')[0]!;
  if (publicKeyHint(leaf.publicKey) !== hint)
    throw registryError(
      'REGISTRY_KEY_INVALID',
      'the certificate does not certify this private key',
    );
  const chain: X509Certificate[] = (options.chain ?? []).flatMap((pem, i) =>
    parsePemCertificates(pem, `chain ${i + 1}`),
  );
  return {
    x509CertificateChain: {
      certificates: [leaf, ...chain].map((c) => ({ rawBytes: c.raw.toString('base64') })),
    },
    tlogEntries: [],
  };
}

/**
 * Signs a model file or directory in the OpenSSF Model Signing format: a Sigstore bundle
 * holding a DSSE envelope over an in-toto statement that lists every file's SHA-256. Returns
 * the bundle and the manifest it signed.
 */
export async function signModel(
  modelPath: string,
  options: SignModelOptions,
): Promise<{ bundle: SignatureBundle; manifest: ModelManifest }> {
  const key = loadPrivateKey(options.privateKey, options.passphrase);
  const allowSymlinks = options.allowSymlinks ?? false;
  const manifest = await hashModel(modelPath, {
    ignorePaths: [...DEFAULT_IGNORED_PATHS, ...(options.ignorePaths ?? [])],
    allowSymlinks,
  });
  const payload = Buffer.from(
    JSON.stringify(buildStatement(manifest, allowSymlinks), null, 2),
    'utf8',
  );
  const sig = sign(signingHash(key), pae(IN_TOTO_PAYLOAD_TYPE, payload), key);
  const bundle: SignatureBundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(options, publicKeyHint(key)),
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  };
  return { bundle, manifest };
}
