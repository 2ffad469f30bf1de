import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AppError } from '../../src/core/index.js';
import { loadPublicKey, type TrustAnchor } from '../../src/registry/index.js';

/** sigstore/model-transparency's published test signatures (test/fixtures/model-transparency). */
export const MT_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'model-transparency');
export const readMt = (p: string) => readFileSync(join(MT_FIXTURES, p), 'utf8');
/** The key its `sign key` test signatures were made with. */
export const theirKey: TrustAnchor = {
  kind: 'keys',
  keys: [loadPublicKey(readMt('keys/signing-key-pub.pem'))],
};
/** The root its `sign certificate` test chains end in. */
export const theirRoot: TrustAnchor = {
  kind: 'certificates',
  roots: [new X509Certificate(readMt('keys/ca-cert.pem'))],
};

/** Awaits a promise that must reject with this code; the error, for more checks. */
export async function failure(p: Promise<unknown>, code: string): Promise<AppError> {
  const e = (await p.then(
    () => null,
    (x: unknown) => x,
  )) as AppError | null;
  expect(e, `expected ${code}`).not.toBeNull();
  expect(e!.code, e!.message).toBe(code);
  return e!;
}
