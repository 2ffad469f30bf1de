import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from '../identity/index.js';
import { createAdminApi, mountAllRoutes, ROUTE_PERMISSIONS, type AdminServices } from './index.js';

/** The admin API with every route group mounted, as the composition root mounts them. */
const fullApi = mountAllRoutes;

const declared = (app: ReturnType<typeof fullApi>) =>
  app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
    .map((r) => `${r.method} ${r.path}`);

describe('the route → permission table', () => {
  it('declares a permission for every admin route', () => {
    const missing = declared(fullApi()).filter((route) => !(route in ROUTE_PERMISSIONS));
    expect(missing).toEqual([]);
  });

  it('names no route that does not exist', () => {
    const routes = new Set(declared(fullApi()));
    expect(Object.keys(ROUTE_PERMISSIONS).filter((r) => !routes.has(r))).toEqual([]);
  });

  it('refuses a route missing from the table to every role but admin (fail closed)', async () => {
    const viewer = { name: 'vic', kind: 'user', role: 'viewer' } as const;
    const admin = createTokenAuthenticator('bootstrap-token-0123');
    const app = createAdminApi({
      services: {} as AdminServices,
      token: 'bootstrap-token-0123',
      identities: {
        authenticate: async (t: string) => (t === 'viewer-token' ? viewer : admin.authenticate(t)),
      } as never,
    });
    app.get('/api/v1/undeclared', (c) => c.json({ ok: true }));
    const get = (token: string) =>
      app.request('/api/v1/undeclared', { headers: { authorization: `Bearer ${token}` } });
    const refused = await get('viewer-token');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: 'IDENTITY_FORBIDDEN',
      details: { needed: 'admin' },
    });
    expect((await get('bootstrap-token-0123')).status).toBe(200);
  });
});
