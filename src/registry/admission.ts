import type { ScanResult } from '../scan/index.js';
import { registryError } from './errors.js';
import { compareFiles, describeProblems, hashModel } from './oms/model-manifest.js';
import { verifyModelSignature, type TrustAnchor } from './oms/verify-signature.js';
import type { ModelVersion } from './types.js';

/** What admission checked; stored in the approval's state-change details. */
export interface AdmissionReport {
  integrity: 'verified' | 'no local artifacts';
  signature: 'verified' | 'absent';
  scans: { file: string; verdict: string; findings: number }[];
}

export interface AdmissionOptions {
  /** The scanner's library entry (`scan` from src/scan). */
  scan: (path: string) => Promise<ScanResult>;
  /** Keys or certificate roots that signatures must chain to. */
  trust: TrustAnchor;
  /** Refuse versions that carry no signature (default true). */
  requireSignature?: boolean;
}

/** The checks the registry runs before approving, deploying or loading a version. */
export interface Admission {
  /** Integrity and signature only (deploy, load, integrity monitor). */
  verify(version: ModelVersion): Promise<Omit<AdmissionReport, 'scans'>>;
  /** verify() plus the model-file scanner on every artifact (approval). */
  admit(version: ModelVersion): Promise<AdmissionReport>;
}

/** Checks files at another path (what the built-in server is about to load) against a version. */
export async function verifyFilesAt(admission: Admission, version: ModelVersion, path: string) {
  return admission.verify({ ...version, location: path });
}

function artifactPath(version: ModelVersion, file: string): string {
  return file === '.' ? version.location! : `${version.location!}/${file}`;
}

/** Builds the admission checks; each refusal names the file and the reason. */
export function createAdmission(options: AdmissionOptions): Admission {
  const requireSignature = options.requireSignature ?? true;
  const checkIntegrity = async (version: ModelVersion): Promise<AdmissionReport['integrity']> => {
    if (version.location === null) return 'no local artifacts';
    const actual = await hashModel(version.location, { ignorePaths: ['model.sig'] });
    const problems = compareFiles(version.files, actual.files);
    if (problems.length > 0)
      throw registryError(
        'REGISTRY_ARTIFACT_MISMATCH',
        `version ${version.version}: artifacts differ from the registered manifest: ${describeProblems(problems)}`,
        { details: { problems } },
      );
    return 'verified';
  };
  const checkSignature = async (
    version: ModelVersion,
    integrity: AdmissionReport['integrity'],
  ): Promise<Omit<AdmissionReport, 'scans'>> => {
    const label = `version ${version.version}`;
    if (version.signature === null) {
      if (requireSignature)
        throw registryError('REGISTRY_ADMISSION_REFUSED', `${label}: has no signature`, {
          details: {
            reason: 'unsigned',
          },
        });
      return { integrity, signature: 'absent' };
    }
    if (options.trust.kind === 'keys' && options.trust.keys.length === 0)
      throw registryError(
        'REGISTRY_TRUST_NOT_CONFIGURED',
        `${label}: is signed, but aisoc trusts no signer yet: list the signer's public key (PEM file) ` +
          'under registry.trustedKeys, or its CA under registry.certificateRoots (or, for keyless ' +
          'Sigstore signatures, a trusted root and identities under registry.sigstore), in aisoc.yaml, ' +
          'restart aisoc, then approve again',
        { details: { reason: 'no trusted keys or certificate roots configured' } },
      );
    const signed = await verifyModelSignature(version.signature, options.trust, {
      files: version.files,
    });
    if (signed.rootDigest !== version.manifestDigest)
      throw registryError(
        'REGISTRY_ARTIFACT_MISMATCH',
        `${label}: signature covers another manifest`,
        {
          details: {
            signed: signed.rootDigest,
            registered: version.manifestDigest,
          },
        },
      );
    return { integrity, signature: 'verified' };
  };
  const verify: Admission['verify'] = async (version) =>
    checkSignature(version, await checkIntegrity(version));
  return {
    verify,
    // Scans run before the signature check: a file that carries a payload is reported as
    // malicious even when it is also unsigned (the graver finding, and the one alerted on).
    async admit(version) {
      const integrity = await checkIntegrity(version);
      const scans: AdmissionReport['scans'] = [];
      if (version.location !== null) {
        for (const f of version.files) {
          const r = await options.scan(artifactPath(version, f.path));
          scans.push({ file: f.path, verdict: r.verdict, findings: r.findings.length });
          if (r.verdict !== 'safe')
            throw registryError(
              'REGISTRY_ADMISSION_REFUSED',
              `version ${version.version}: ${f.path}: scanner verdict ${r.verdict} (${r.findings
                .slice(0, 3)
                .map((x) => x.rule)
                .join(', ')})`,
              { details: { file: f.path, verdict: r.verdict, findings: r.findings } },
            );
        }
      }
      return { ...(await checkSignature(version, integrity)), scans };
    },
  };
}
