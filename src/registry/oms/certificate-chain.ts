import { X509Certificate, type KeyObject } from 'node:crypto';
import { registryError } from '../errors.js';

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
const MAX_CHAIN = 8;

/** Every certificate in a PEM text (a file may hold several). */
export function parsePemCertificates(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw registryError('REGISTRY_CERTIFICATE_INVALID', `${source}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw registryError(
        'REGISTRY_CERTIFICATE_INVALID',
        `${source}: certificate ${i + 1}: ${(e as Error).message}`,
      );
    }
  });
}

// Node exposes the extended key usages but not the KeyUsage bits (RFC 5280 §4.2.1.3), so we
// read the one bit we need: find extension 2.5.29.15, skip an optional critical flag, and
// take the first byte of its BIT STRING (digitalSignature is the top bit).
function hasDigitalSignature(raw: Buffer): boolean | undefined {
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
  const at = raw.indexOf(oid);
  if (at < 0) return undefined;
  let i = at + oid.length;
  if (raw[i] === 0x01) i += 2 + raw[i + 1]!; // BOOLEAN critical
  if (raw[i] !== 0x04 || raw[i + 2] !== 0x03) return false; // OCTET STRING { BIT STRING }
  return ((raw[i + 5] ?? 0) & 0x80) !== 0;
}

function validAt(cert: X509Certificate, time: number): boolean {
  return Date.parse(cert.validFrom) <= time && time <= Date.parse(cert.validTo);
}

function signs(issuer: X509Certificate, cert: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

function fail(message: string): never {
  throw registryError('REGISTRY_CERTIFICATE_INVALID', message);
}

/**
 * Checks that the leaf chains through the bundle's intermediates to one of the trusted
 * certificates, each valid when the leaf was issued (model-transparency checks at the leaf's
 * notBefore, since key signatures carry no trusted time), and that the leaf may sign code.
 * Returns the leaf's public key. A trusted certificate need not be self-signed.
 */
export function verifyCertificateChain(
  chainDer: readonly Buffer[],
  trusted: readonly X509Certificate[],
): KeyObject {
  let certs: X509Certificate[];
  try {
    certs = chainDer.map((der) => new X509Certificate(der));
  } catch (e) {
    return fail(`certificate in the signature: ${(e as Error).message}`);
  }
  const leaf = certs[0]!;
  const time = Date.parse(leaf.validFrom);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, time))
      fail(`certificate ${current.subject} was not valid at ${leaf.validFrom}`);
    const anchor = trusted.find(
      (t) => t.fingerprint256 === current.fingerprint256 || signs(t, current),
    );
    if (anchor) {
      if (!validAt(anchor, time))
        fail(`trusted certificate ${anchor.subject} was not valid at ${leaf.validFrom}`);
      return checkLeafUsage(leaf);
    }
    const next = certs.slice(1).find((c) => c.ca && c !== current && signs(c, current));
    if (!next)
      fail(`certificate ${current.subject.replace(/\n/g, ', ')} does not chain to a trusted root`);
    current = next;
  }
  return fail(`certificate chain longer than ${MAX_CHAIN}`);
}

function checkLeafUsage(leaf: X509Certificate): KeyObject {
  const digital = hasDigitalSignature(leaf.raw);
  const eku = leaf.keyUsage ?? [];
  if (digital !== true && !eku.includes(CODE_SIGNING_EKU))
    fail(
      `signing certificate ${leaf.subject.replace(/\n/g, ', ')} may not sign (no digitalSignature or codeSigning usage)`,
    );
  return leaf.publicKey;
}
