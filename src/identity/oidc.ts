import type { createRemoteJWKSet, JWTPayload } from 'jose';
import { ROLES, isRole, type Role } from './roles.js';
import type { Identity } from './identity-service.js';

/** What the OIDC authenticator needs (`admin.oidc` in aisoc.yaml). */
export interface OidcOptions {
  issuer: string;
  audience: string;
  jwksUrl?: string | undefined;
  nameClaim: string;
  roleClaim: string;
  /** Told why a token that looked like a JWT was refused (bad signature, issuer, expiry…). */
  onRefused?: (reason: string) => void;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]{1,128}$/;

async function discoverJwks(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const { jwks_uri: jwks } = (await res.json()) as { jwks_uri?: unknown };
  if (typeof jwks !== 'string') throw new Error(`${url} names no jwks_uri`);
  return new URL(jwks);
}

/** The most trusted known role among the claim's values, if any. */
function roleOf(claim: unknown): Role | undefined {
  const values = Array.isArray(claim) ? claim : [claim];
  const known = values.filter(isRole);
  return [...ROLES].reverse().find((r) => known.includes(r));
}

/**
 * Verifies OIDC bearer tokens (JWTs) against the issuer's JWKS with `jose`: signature,
 * issuer, audience, expiry and not-before. The key set is fetched on first use and refreshed
 * by jose when a token names a key it has not seen (key rotation).
 */
export function createOidcAuthenticator(options: OidcOptions) {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    keys ??= (
      options.jwksUrl ? Promise.resolve(new URL(options.jwksUrl)) : discoverJwks(options.issuer)
    )
      // Loaded on first use: every CLI command builds the app graph, few configure OIDC.
      .then(async (url) =>
        (await import('jose')).createRemoteJWKSet(url, { timeoutDuration: 5000 }),
      )
      .catch((error: unknown) => {
        keys = undefined; // try discovery again on the next token
        throw error;
      });
    return keys;
  };
  const refuse = (reason: string) => {
    options.onRefused?.(reason);
    return undefined;
  };
  return {
    async authenticate(token: string): Promise<Identity | undefined> {
      if (!JWT_SHAPE.test(token)) return undefined;
      let payload: JWTPayload;
      try {
        const { jwtVerify } = await import('jose');
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer: options.issuer,
          audience: options.audience,
        }));
      } catch (error) {
        return refuse(`OIDC token refused: ${(error as Error).message}`);
      }
      const name = payload[options.nameClaim];
      if (typeof name !== 'string' || !PRINTABLE.test(name))
        return refuse(`OIDC token refused: no usable "${options.nameClaim}" claim`);
      const role = roleOf(payload[options.roleClaim]);
      if (!role)
        return refuse(
          `OIDC token refused: "${options.roleClaim}" names no role of ${ROLES.join(', ')}`,
        );
      return { name: `oidc:${name}`, kind: 'oidc', role };
    },
  };
}
