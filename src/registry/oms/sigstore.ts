import { registryError } from '../errors.js';

/** A signer identity a keyless signature must carry: the certificate's SAN and its OIDC issuer. */
export interface SigstoreIdentity {
  identity: string;
  issuer: string;
}

/** What a keyless (Fulcio certificate + Rekor entry) signature proved. */
export interface SigstoreSigner {
  kind: 'sigstore';
  identity: string;
  issuer: string;
}

/**
 * Verifies a Sigstore bundle offline against a trusted root (the `trusted_root.json` that
 * Sigstore's TUF repository distributes): the Fulcio certificate chain at the signing time,
 * the signed certificate timestamp, the Rekor entry's signed entry timestamp and inclusion
 * proof, the DSSE signature, and that the certificate names one of the allowed identities.
 * The Sigstore libraries are the ones npm itself verifies packages with; they are loaded only
 * here, so that commands which never meet a keyless signature do not pay for them.
 */
export async function verifySigstoreBundle(
  bundleJson: unknown,
  trustedRoot: unknown,
  identities: readonly SigstoreIdentity[],
): Promise<SigstoreSigner> {
  if (identities.length === 0)
    throw registryError(
      'REGISTRY_SIGNATURE_INVALID',
      'keyless Sigstore signature: no identity is allowed (give --identity and --oidc-issuer, or registry.sigstore.identities)',
      { details: { reason: 'no identity policy' } },
    );
  const [{ bundleFromJSON }, { TrustedRoot }, verify] = await Promise.all([
    import('@sigstore/bundle'),
    import('@sigstore/protobuf-specs'),
    import('@sigstore/verify'),
  ]);
  let verifier: InstanceType<typeof verify.Verifier>;
  try {
    const material = verify.toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
    verifier = new verify.Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1 });
  } catch (e) {
    throw registryError(
      'REGISTRY_TRUST_NOT_CONFIGURED',
      `Sigstore trusted root is not usable: ${(e as Error).message}`,
      { details: { reason: 'trusted root' }, cause: e },
    );
  }
  let entity: ReturnType<typeof verify.toSignedEntity>;
  try {
    entity = verify.toSignedEntity(bundleFromJSON(bundleJson));
  } catch (e) {
    throw registryError(
      'REGISTRY_SIGNATURE_MALFORMED',
      `Sigstore bundle: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let lastPolicyError: Error | undefined;
  for (const { identity, issuer } of identities) {
    try {
      verifier.verify(entity, { subjectAlternativeName: identity, extensions: { issuer } });
      return { kind: 'sigstore', identity, issuer };
    } catch (e) {
      if (e instanceof verify.PolicyError) {
        lastPolicyError = e;
        continue;
      }
      const code = (e as { code?: string }).code;
      throw registryError(
        'REGISTRY_SIGNATURE_INVALID',
        `Sigstore verification failed${code ? ` (${code})` : ''}: ${(e as Error).message}`,
        { details: { reason: code ?? 'sigstore' }, cause: e },
      );
    }
  }
  throw registryError(
    'REGISTRY_SIGNATURE_INVALID',
    `keyless signature is valid but its signer is not allowed: ${lastPolicyError?.message ?? 'identity mismatch'}`,
    { details: { reason: 'identity mismatch', allowed: identities } },
  );
}
