import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuer } from '../../test/support/oidc-issuer.js';
import { createOidcAuthenticator } from './oidc.js';

describe('OIDC bearer tokens verified against the issuer JWKS', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let key: CryptoKey;
  let other: CryptoKey;
  const refused: string[] = [];
  let auth: ReturnType<typeof createOidcAuthenticator>;

  const sign = (
    claims: Record<string, unknown>,
    o: { key?: CryptoKey; iss?: string; aud?: string; exp?: string | number } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(o.iss ?? issuer.url)
      .setAudience(o.aud ?? 'aisoc-admin')
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .sign(o.key ?? key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    other = (await generateKeyPair('ES256')).privateKey;
    issuer = await startIssuer({ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' });
    auth = createOidcAuthenticator({
      issuer: issuer.url,
      audience: 'aisoc-admin',
      nameClaim: 'preferred_username',
      roleClaim: 'aisoc_role',
      onRefused: (r) => refused.push(r),
    });
  });
  afterAll(async () => issuer.close());

  it('takes a token the issuer signed, found through discovery, as oidc:<name> with its role', async () => {
    const token = await sign({ preferred_username: 'ann@example.org', aisoc_role: 'approver' });
    expect(await auth.authenticate(token)).toEqual({
      name: 'oidc:ann@example.org',
      kind: 'oidc',
      role: 'approver',
    });
    const many = await sign({ preferred_username: 'bo', aisoc_role: ['viewer', 'responder', 'x'] });
    expect((await auth.authenticate(many))?.role).toBe('responder');
    expect(issuer.served()).toBe(1); // the key set is fetched once and kept
  });

  it.each([
    ['signed by another key', { preferred_username: 'm', aisoc_role: 'admin' }, 'key'],
    ['from another issuer', { preferred_username: 'm', aisoc_role: 'admin' }, 'iss'],
    ['for another audience', { preferred_username: 'm', aisoc_role: 'admin' }, 'aud'],
    ['expired', { preferred_username: 'm', aisoc_role: 'admin' }, 'exp'],
    ['without a role', { preferred_username: 'm' }, null],
    ['with an unknown role', { preferred_username: 'm', aisoc_role: 'root' }, null],
    [
      'with a name holding an escape',
      { preferred_username: 'm\u001b[2J', aisoc_role: 'viewer' },
      null,
    ],
  ])('refuses a token %s, saying why', async (_what, claims, change) => {
    const before = refused.length;
    const token = await sign(claims, {
      ...(change === 'key' ? { key: other } : {}),
      ...(change === 'iss' ? { iss: 'http://127.0.0.1:1/elsewhere' } : {}),
      ...(change === 'aud' ? { aud: 'another-app' } : {}),
      ...(change === 'exp' ? { exp: Math.floor(Date.now() / 1000) - 120 } : {}),
    });
    expect(await auth.authenticate(token)).toBeUndefined();
    expect(refused.length).toBe(before + 1);
    expect(refused.at(-1)).toMatch(/^OIDC token refused: /);
  });

  it('leaves tokens that are not JWTs to the other authenticators, silently', async () => {
    const before = refused.length;
    expect(await auth.authenticate('aisoc_u_abcdef')).toBeUndefined();
    expect(refused.length).toBe(before);
  });
});
