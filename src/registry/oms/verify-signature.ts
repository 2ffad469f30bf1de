import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { registryError } from '../errors.js';
import type { ArtifactFile } from '../types.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  OMS_PREDICATE_TYPE,
  OMS_PREDICATE_TYPE_COMPAT,
  pae,
  paeCompatV02,
  parseBundle,
  parseStatement,
  type SignatureBundle,
  type Statement,
} from './bundle.js';
import { verifyCertificateChain } from './certificate-chain.js';
import {
  compareFiles,
  DEFAULT_IGNORED_PATHS,
  describeProblems,
  hashModel,
  rootDigest,
  safeParts,
  sortFiles,
} from './model-manifest.js';
import { verifySigstoreBundle, type SigstoreIdentity, type SigstoreSigner } from './sigstore.js';
import { publicKeyHint, signingHash } from './signing-keys.js';

/**
 * Whom to trust: public keys, certificates that signing certificates must chain to, a Sigstore
 * trusted root with the identities allowed to sign keyless, or several of these (a bundle with
 * transparency-log entries goes to the Sigstore anchor, any other to the first key or
 * certificate anchor).
 */
export type TrustAnchor =
  | { kind: 'keys'; keys: readonly KeyObject[] }
  | { kind: 'certificates'; roots: readonly X509Certificate[] }
  | { kind: 'sigstore'; trustedRoot: unknown; identities: readonly SigstoreIdentity[] }
  | { kind: 'any'; anchors: readonly TrustAnchor[] };

export interface VerifyTarget {
  /** Re-hash this model path and compare it with the signed manifest. */
  modelPath?: string;
  /** Extra paths to ignore when hashing `modelPath`. */
  ignorePaths?: readonly string[];
  /** Or compare the signed manifest with these recorded files. */
  files?: readonly { path: string; digest: string }[];
}

/** What a valid signature says. */
export interface VerifiedSignature {
  name: string;
  rootDigest: string;
  files: Pick<ArtifactFile, 'path' | 'digest'>[];
  ignorePaths: string[];
  allowSymlinks: boolean;
  signer: { kind: 'key'; hint: string } | { kind: 'certificate'; subject: string } | SigstoreSigner;
}

const invalid = (message: string, details?: unknown) =>
  registryError('REGISTRY_SIGNATURE_INVALID', message, { details });
const malformed = (message: string, details?: unknown) =>
  registryError('REGISTRY_SIGNATURE_MALFORMED', message, { details });

/** A keyless signature: a Fulcio certificate logged in Rekor. */
function isKeyless(bundle: SignatureBundle): boolean {
  return (bundle.verificationMaterial.tlogEntries?.length ?? 0) > 0;
}

function anchorFor(bundle: SignatureBundle, trust: TrustAnchor): TrustAnchor {
  if (trust.kind !== 'any') return trust;
  const keyless = isKeyless(bundle);
  const anchor = trust.anchors.find((a) => (a.kind === 'sigstore') === keyless);
  if (!anchor)
    throw registryError(
      'REGISTRY_TRUST_NOT_CONFIGURED',
      keyless
        ? 'keyless Sigstore signature, but no Sigstore trusted root is configured (registry.sigstore)'
        : 'signed with a key or certificate, but only a Sigstore trusted root is configured',
      { details: { reason: 'no matching trust anchor' } },
    );
  return anchor;
}

async function checkSignature(
  bundleText: string,
  bundle: SignatureBundle,
  trust: TrustAnchor,
): Promise<VerifiedSignature['signer']> {
  trust = anchorFor(bundle, trust);
  if (trust.kind === 'sigstore')
    return verifySigstoreBundle(JSON.parse(bundleText), trust.trustedRoot, trust.identities);
  if (trust.kind === 'any') throw new Error('nested trust anchors');
  if (isKeyless(bundle))
    throw invalid(
      'keyless Sigstore signature: give a Sigstore trusted root and the allowed identity',
      { reason: 'keyless signature without a Sigstore trust anchor' },
    );
  const envelope = bundle.dsseEnvelope;
  const message = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  const compat = paeCompatV02(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const ok = (key: KeyObject) => {
    try {
      return (
        verify(signingHash(key), message, key, sig) ||
        // model_signing v0.2's encoding and hash, which upstream still verifies (v1.0 did not)
        (key.asymmetricKeyType === 'ec' && verify('sha256', compat, key, sig))
      );
    } catch {
      return false; // a signature that is not even DER for this curve is just invalid
    }
  };
  if (trust.kind === 'keys') {
    const hint = bundle.verificationMaterial.publicKey?.hint ?? null;
    const candidates = hint ? trust.keys.filter((k) => publicKeyHint(k) === hint) : trust.keys;
    if (candidates.length === 0)
      throw invalid(`signature was made by another key (hint ${hint})`, { reason: 'key mismatch' });
    const key = candidates.find(ok);
    if (!key)
      throw invalid('DSSE signature does not verify with the given key', {
        reason: 'bad signature',
      });
    return { kind: 'key', hint: publicKeyHint(key) };
  }
  const material = bundle.verificationMaterial;
  const certs =
    material.x509CertificateChain?.certificates ??
    (material.certificate ? [material.certificate] : []);
  if (certs.length === 0)
    throw invalid('signature carries no certificate', { reason: 'no certificate' });
  const leafKey = verifyCertificateChain(
    certs.map((c) => Buffer.from(c.rawBytes, 'base64')),
    trust.roots,
  );
  if (!ok(leafKey))
    throw invalid('DSSE signature does not verify with the signing certificate', {
      reason: 'bad signature',
    });
  const leaf = new X509Certificate(Buffer.from(certs[0]!.rawBytes, 'base64'));
  return { kind: 'certificate', subject: leaf.subject.replace(/\n/g, ', ') };
}

function checkedResources(statement: Statement): {
  name: string;
  files: VerifiedSignature['files'];
} {
  if (statement.predicateType === OMS_PREDICATE_TYPE_COMPAT) {
    const files = statement.subject.map((s) => ({ path: s.name, digest: s.digest.sha256 ?? '' }));
    return { name: 'compat-undefined-not-present', files };
  }
  if (statement.predicateType !== OMS_PREDICATE_TYPE)
    throw malformed(`predicate type ${statement.predicateType} is not ${OMS_PREDICATE_TYPE}`);
  const serialization = statement.predicate?.serialization;
  if (!serialization || !statement.predicate?.resources)
    throw malformed('predicate lacks serialization or resources');
  if (serialization.method !== 'files')
    throw malformed(`serialization method ${serialization.method} is not supported (only "files")`);
  if (serialization.hash_type !== 'sha256')
    throw malformed(`hash type ${serialization.hash_type} is not supported (only sha256)`);
  for (const r of statement.predicate.resources)
    if (r.algorithm !== 'sha256')
      throw malformed(`${r.name}: algorithm ${r.algorithm} is not supported`);
  if (statement.subject.length !== 1)
    throw malformed(`expected one subject, found ${statement.subject.length}`);
  const files = statement.predicate.resources.map((r) => ({ path: r.name, digest: r.digest }));
  const subject = statement.subject[0]!;
  const computed = rootDigest(files);
  if (subject.digest.sha256 !== computed)
    throw malformed(
      `manifest is inconsistent: subject digest ${subject.digest.sha256}, resources hash to ${computed}`,
    );
  return { name: subject.name, files };
}

function checkNames(files: VerifiedSignature['files'], ignorePaths: readonly string[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (safeParts(f.path) === null)
      throw malformed(`${f.path}: path escapes the model root`, {
        file: f.path,
        reason: 'path traversal',
      });
    if (!/^[0-9a-f]{64}$/.test(f.digest))
      throw malformed(`${f.path}: digest is not SHA-256 hex`, { file: f.path });
    if (seen.has(f.path)) throw malformed(`${f.path}: listed twice`, { file: f.path });
    seen.add(f.path);
  }
  for (const p of ignorePaths)
    if (safeParts(p) === null || p === '.')
      throw malformed(`ignore path ${JSON.stringify(p)} is not inside the model`);
}

/**
 * Verifies an OMS signature (key or certificate) and, when given a model path or recorded
 * files, that they match the signed manifest exactly. Throws REGISTRY_SIGNATURE_MALFORMED,
 * REGISTRY_SIGNATURE_INVALID, REGISTRY_CERTIFICATE_INVALID or REGISTRY_ARTIFACT_MISMATCH,
 * naming the file and the reason.
 */
export async function verifyModelSignature(
  bundleText: string,
  trust: TrustAnchor,
  target: VerifyTarget = {},
): Promise<VerifiedSignature> {
  const bundle = parseBundle(bundleText);
  if (bundle.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw malformed(
      `DSSE payload type ${bundle.dsseEnvelope.payloadType} is not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  const signer = await checkSignature(bundleText, bundle, trust);
  const statement = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
  if (statement._type !== IN_TOTO_STATEMENT_TYPE)
    throw malformed(`statement type ${statement._type} is not ${IN_TOTO_STATEMENT_TYPE}`);
  const { name, files } = checkedResources(statement);
  const serialization = statement.predicate?.serialization;
  const ignorePaths = serialization?.ignore_paths ?? [];
  const allowSymlinks =
    serialization?.allow_symlinks === true || serialization?.allow_symlinks === 'true';
  checkNames(files, ignorePaths);
  const verified = {
    name,
    rootDigest: rootDigest(files),
    files: sortFiles(files),
    ignorePaths,
    allowSymlinks,
    signer,
  };
  let actual = target.files;
  if (target.modelPath !== undefined) {
    const ignore = [...DEFAULT_IGNORED_PATHS, ...ignorePaths, ...(target.ignorePaths ?? [])];
    actual = (await hashModel(target.modelPath, { ignorePaths: ignore, allowSymlinks })).files;
  }
  if (actual) {
    const problems = compareFiles(files, actual);
    if (problems.length > 0)
      throw registryError(
        'REGISTRY_ARTIFACT_MISMATCH',
        `model does not match its signature: ${describeProblems(problems)}`,
        { details: { problems } },
      );
  }
  return verified;
}
