import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';
import { startIssuer } from '../support/oidc-issuer.js';

describe('aisoc with admin.oidc: OIDC bearer tokens on the admin API', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let token: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    issuer = await startIssuer({ ...(await exportJWK(publicKey)), kid: 'ed1', alg: 'EdDSA' });
    token = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'ed1' })
        .setIssuer(issuer.url)
        .setAudience('aisoc')
        .setExpirationTime('5m')
        .sign(privateKey);
    t = await startTestAisoc({
      admin: {
        port: 0, // the token file defaults to <dataDir>/admin.token, as the helper's does
        oidc: { issuer: issuer.url, audience: 'aisoc', jwksUrl: `${issuer.url}/jwks` },
      },
    });
  });
  afterAll(async () => {
    await t?.aisoc.close();
    await issuer?.close();
  });

  it('acts as oidc:<name> with the role the issuer gave, and only that role', async () => {
    const jwt = await token({ preferred_username: 'lee', aisoc_role: 'approver' });
    expect((await t.admin('/api/v1/whoami', { token: jwt })).json).toEqual({
      name: 'oidc:lee',
      kind: 'oidc',
      role: 'approver',
      permissions: ['read', 'approvals.decide', 'artifacts.read'],
    });
    const refused = await t.admin('/api/v1/keys', { token: jwt, body: { principal: 'p' } });
    expect(refused).toMatchObject({ status: 403, json: { code: 'IDENTITY_FORBIDDEN' } });
    expect((await t.admin('/api/v1/whoami', { token: `${jwt.slice(0, -4)}AAAA` })).status).toBe(
      401,
    );
    // The admin token still works beside OIDC.
    expect((await t.admin('/api/v1/whoami')).json.name).toBe('admin');
  });
});
