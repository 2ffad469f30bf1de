import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { createIdentityService, type IdentityService } from '../identity/index.js';
import { loadPlaybookDir } from '../respond/index.js';
import type { AdminCallEntry } from './access.js';
import { createAdminApi, createRespondRoutes, type AdminServices } from './index.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;
const ADMIN = 'bootstrap-admin-token';

describe('identities, roles and four-eyes on the admin API', () => {
  let rig: Rig;
  let api: ReturnType<typeof createAdminApi>;
  let identities: IdentityService;
  const calls: AdminCallEntry[] = [];
  const tokens = new Map<string, string>();
  let incidentId: string;

  const call = async (
    token: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await api.request(path, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const as = (name: string) => tokens.get(name)!;

  beforeAll(async () => {
    const playbooks = (await loadPlaybookDir('playbooks', ['soc'])).filter(
      (p) => p.id === 'model-extraction',
    );
    rig = await startRespondRig({ playbooks });
    identities = createIdentityService({ db: rig.store.db, adminToken: ADMIN });
    api = createAdminApi({
      services: { actions: { list: async () => [] } } as unknown as AdminServices,
      token: ADMIN,
      identities,
      audit: async (entry) => void calls.push(entry),
      routes: [(actor) => createRespondRoutes(rig.responder, actor)],
    });
    for (const [name, role] of [
      ['vera', 'viewer'],
      ['rita', 'responder'],
      ['olga', 'approver'],
      ['ada', 'admin'],
    ] as const) {
      const r = await call(ADMIN, '/api/v1/users', { body: { name, role } });
      expect(r.status).toBe(201);
      tokens.set(name, r.json.token);
    }
    // An alert no loaded playbook answers: the incident has no run until someone starts one.
    const { incident } = await rig.responder.handleAlert(testAlert({ kind: 'anomaly' }, rig.keyId));
    incidentId = incident.id;
  });
  afterAll(async () => rig.close());

  it('says who the token stands for, with its role and permissions', async () => {
    expect((await call(ADMIN, '/api/v1/whoami')).json).toMatchObject({
      name: 'admin',
      kind: 'bootstrap',
      role: 'admin',
    });
    const vera = await call(as('vera'), '/api/v1/whoami');
    expect(vera.json).toEqual({
      name: 'vera',
      kind: 'user',
      role: 'viewer',
      permissions: ['read'],
    });
    expect((await call('aisoc_u_not-a-token', '/api/v1/whoami')).status).toBe(401);
  });

  it('lets a viewer read and refuses it every change with 403 IDENTITY_FORBIDDEN', async () => {
    expect((await call(as('vera'), '/api/v1/incidents')).status).toBe(200);
    const refused = await call(as('vera'), `/api/v1/incidents/${incidentId}/notes`, {
      body: { text: 'mine' },
    });
    expect(refused).toMatchObject({
      status: 403,
      json: { code: 'IDENTITY_FORBIDDEN', details: { role: 'viewer', needed: 'incidents.write' } },
    });
    expect(refused.json.message).toMatch(/vera \(role viewer\) may not POST/);
    expect((await call(as('vera'), '/api/v1/users')).status).toBe(403);
    // The refused change is in the audit ledger; the refused read is not.
    expect(calls.at(-1)).toMatchObject({
      actor: 'vera',
      method: 'POST',
      route: '/api/v1/incidents/:id/notes',
      status: 403,
    });
  });

  it('keeps users to the admin role', async () => {
    for (const name of ['rita', 'olga'])
      expect(
        (await call(as(name), '/api/v1/users', { body: { name: 'x1', role: 'admin' } })).json.code,
      ).toBe('IDENTITY_FORBIDDEN');
    expect((await call(as('ada'), '/api/v1/users')).json.users.map((u: any) => u.name)).toEqual([
      'vera',
      'rita',
      'olga',
      'ada',
    ]);
  });

  it('refuses x-aisoc-actor with a code naming it, and attributes changes to the token (finding 15)', async () => {
    const refused = await call(as('rita'), `/api/v1/incidents/${incidentId}/notes`, {
      body: { text: 'as olga' },
      headers: { 'x-aisoc-actor': 'olga' },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe('API_ACTOR_HEADER_REFUSED');
    expect(refused.json.message).toMatch(/x-aisoc-actor.*bearer token \(here "rita"\)/);
    expect(calls.at(-1)).toMatchObject({ type: 'api.call', actor: 'rita', status: 400 });
    // Without credentials the header changes nothing: still 401.
    const anonymous = await call('not-a-token', `/api/v1/incidents/${incidentId}`, {
      headers: { 'x-aisoc-actor': 'olga' },
    });
    expect(anonymous.status).toBe(401);
    const r = await call(as('rita'), `/api/v1/incidents/${incidentId}/notes`, {
      body: { text: 'looked at it' },
    });
    expect(r.status).toBe(201);
    const { timeline } = (await call(as('vera'), `/api/v1/incidents/${incidentId}`)).json;
    expect(timeline.filter((e: any) => e.type === 'note')).toMatchObject([{ actor: 'rita' }]);
    expect(calls.at(-1)).toMatchObject({
      type: 'api.call',
      actor: 'rita',
      identityKind: 'user',
      role: 'responder',
      method: 'POST',
      route: '/api/v1/incidents/:id/notes',
      status: 201,
    });
  });

  it('refuses an approval by the identity that requested it (four-eyes) and takes another', async () => {
    const run = await call(as('ada'), '/api/v1/playbooks/model-extraction/run', {
      body: { incidentId },
    });
    expect(run.status).toBe(201);
    const approval = await eventually(async () =>
      (await call(as('olga'), '/api/v1/approvals?status=open')).json.approvals.find(
        (a: any) => a.runId === run.json.id,
      ),
    );
    // A responder may not decide approvals at all.
    const rita = await call(as('rita'), `/api/v1/approvals/${approval.id}`, {
      body: { decision: 'approved', role: 'soc-lead' },
    });
    expect(rita.json.code).toBe('IDENTITY_FORBIDDEN');
    // The admin who started the run may not approve it.
    const self = await call(as('ada'), `/api/v1/approvals/${approval.id}`, {
      body: { decision: 'approved', role: 'soc-lead' },
    });
    expect(self).toMatchObject({ status: 403, json: { code: 'RESPOND_APPROVAL_SELF' } });
    expect(calls.at(-1)).toMatchObject({ actor: 'ada', status: 403 });
    const ok = await call(as('olga'), `/api/v1/approvals/${approval.id}`, {
      body: { decision: 'approved', role: 'soc-lead' },
    });
    expect(ok.json).toMatchObject({ status: 'approved', doneBy: 'olga' });
    const { timeline } = (await call(as('vera'), `/api/v1/incidents/${incidentId}`)).json;
    expect(timeline.find((e: any) => e.type === 'approval_refused')).toMatchObject({
      actor: 'ada',
    });
  });

  it('rotates a token (the old one stops at once) and revokes an identity for good', async () => {
    const old = as('vera');
    const rotated = await call(as('ada'), '/api/v1/users/vera/rotate', { body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.json.token).not.toBe(old);
    expect((await call(old, '/api/v1/whoami')).status).toBe(401);
    expect((await call(rotated.json.token, '/api/v1/whoami')).json.name).toBe('vera');
    const revoked = await call(ADMIN, '/api/v1/users/vera/revoke', { body: {} });
    expect(revoked.json).toMatchObject({ name: 'vera', state: 'revoked' });
    expect((await call(rotated.json.token, '/api/v1/whoami')).status).toBe(401);
    expect((await call(ADMIN, '/api/v1/users/vera/rotate', { body: {} })).json.code).toBe(
      'IDENTITY_REVOKED',
    );
    expect(
      (await call(ADMIN, '/api/v1/users', { body: { name: 'vera', role: 'viewer' } })).json.code,
    ).toBe('IDENTITY_NAME_TAKEN');
  });

  it('never lists a token or its hash, and names what is wrong in a bad user', async () => {
    const list = await call(ADMIN, '/api/v1/users');
    const text = JSON.stringify(list.json);
    for (const token of tokens.values()) expect(text).not.toContain(token);
    expect(text).not.toMatch(/tokenHash|[0-9a-f]{64}/);
    expect(
      (await call(ADMIN, '/api/v1/users', { body: { name: 'admin', role: 'viewer' } })).json.code,
    ).toBe('IDENTITY_NAME_INVALID');
    expect(
      (await call(ADMIN, '/api/v1/users', { body: { name: 'a b', role: 'viewer' } })).json.code,
    ).toBe('IDENTITY_NAME_INVALID');
    const role = await call(ADMIN, '/api/v1/users', { body: { name: 'zed', role: 'root' } });
    expect(role).toMatchObject({ status: 400, json: { code: 'VALIDATION_FAILED' } });
    expect(role.json.message).toMatch(/body\.role/);
    expect((await call(ADMIN, '/api/v1/users/nobody')).json.code).toBe('IDENTITY_UNKNOWN');
  });
});
