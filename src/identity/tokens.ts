import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'aisoc_u_';

/** A new user token: 256 random bits, shown once. */
export function generateUserToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a token. A slow password hash is not needed: tokens carry 256 random bits,
 * so the hash cannot be brute-forced, and a fast hash keeps each admin call cheap.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The first characters of a token, enough to tell tokens apart in a listing. */
export function tokenPrefix(token: string): string {
  return token.slice(0, PREFIX.length + 6);
}

/** Compares two secrets in time independent of where they differ (hashes have equal length). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}
