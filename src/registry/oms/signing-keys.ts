import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { sha256Hex } from '../../core/index.js';
import { registryError } from '../errors.js';

// The curves OMS accepts (sigstore protobuf-specs PublicKeyDetails), each with the digest
// model-transparency pairs with it; Ed25519 signs the message itself (RFC 8032).
const EC_HASHES: Record<string, string> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

/** The digest `crypto.sign` needs for this key: null for Ed25519. */
export function signingHash(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve && EC_HASHES[curve]) return EC_HASHES[curve]!;
  throw registryError(
    'REGISTRY_KEY_INVALID',
    `unsupported key ${key.asymmetricKeyType ?? '?'}${curve ? ` (${curve})` : ''}: use ECDSA P-256, P-384, P-521 or Ed25519`,
  );
}

/** Loads a PEM private key and checks its algorithm. */
export function loadPrivateKey(pem: string | Buffer, passphrase?: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (e) {
    throw registryError('REGISTRY_KEY_INVALID', `private key: ${(e as Error).message}`, {
      cause: e,
    });
  }
  signingHash(key);
  return key;
}

/** Loads a PEM public key (or the key of a PEM certificate) and checks its algorithm. */
export function loadPublicKey(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw registryError('REGISTRY_KEY_INVALID', `public key: ${(e as Error).message}`, {
      cause: e,
    });
  }
  signingHash(key);
  return key;
}

/** model-transparency's key hint: SHA-256 (hex) of the SubjectPublicKeyInfo PEM text. */
export function publicKeyHint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return sha256Hex(publicKey.export({ type: 'spki', format: 'pem' }) as string);
}
