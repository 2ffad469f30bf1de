import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { loadPlaybookDir } from '../respond/index.js';
import { createAdminApi, createRespondRoutes, type AdminServices } from './index.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

describe('respond routes behind the admin API', () => {
  let rig: Rig;
  let api: ReturnType<typeof createAdminApi>;
  let incidentId: string;
  const call = async (
    path: string,
    init: { body?: unknown; method?: string; token?: string; type?: string } = {},
  ) => {
    const res = await api.request(path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${init.token ?? 'secret-token'}`,
        ...(init.body === undefined ? {} : { 'content-type': init.type ?? 'application/json' }),
      },
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  };

  beforeAll(async () => {
    rig = await startRespondRig({ playbooks: await loadPlaybookDir('playbooks', ['soc']) });
    // The respond routes use none of the admin services; the rest of the API is not under test.
    api = createAdminApi({
      services: {} as AdminServices,
      token: 'secret-token',
      routes: [(actor) => createRespondRoutes(rig.responder, actor)],
    });
    const { incident } = await rig.responder.handleAlert(testAlert({}, rig.keyId));
    incidentId = incident.id;
    // The model-extraction run's approval (the extraction-campaign run asks for its own).
    await eventually(async () =>
      (await rig.responder.approvals.list({ status: 'open' })).find((a) =>
        a.title.startsWith('Revoke key'),
      ),
    );
  });
  afterAll(async () => rig.close());

  it('refuses a request without the admin token', async () => {
    expect((await call('/api/v1/incidents', { token: 'wrong-token!' })).status).toBe(401);
  });

  it('lists incidents and shows one with technique names, metrics, timeline and actions', async () => {
    const list = await call('/api/v1/incidents?open=true');
    expect(list.json.incidents.map((i: { id: string }) => i.id)).toEqual([incidentId]);
    const show = await call(`/api/v1/incidents/${incidentId}`);
    expect(show.status).toBe(200);
    expect(show.json.techniques[0]).toMatchObject({
      id: 'AML.T0024.002',
      name: 'Extract AI Model',
    });
    expect(show.json.owasp).toContainEqual({ id: 'ML05:2023', title: 'Model Theft' });
    expect(show.json.actions[0].action.kind).toBe('rate_limit');
    expect(show.json.metrics.ttdMs).toBeGreaterThanOrEqual(0);
  });

  it('assigns, notes and overrides severity, naming what was wrong in a bad body', async () => {
    expect(
      (await call(`/api/v1/incidents/${incidentId}/assign`, { body: { assignee: 'bob' } })).json
        .assignee,
    ).toBe('bob');
    expect(
      (await call(`/api/v1/incidents/${incidentId}/notes`, { body: { text: 'scraper' } })).status,
    ).toBe(201);
    const bad = await call(`/api/v1/incidents/${incidentId}/severity`, {
      body: { severity: 'apocalyptic' },
    });
    expect(bad).toMatchObject({ status: 400, json: { code: 'VALIDATION_FAILED' } });
    expect(bad.json.message).toMatch(/body\.severity/);
    expect(bad.json.message).toMatch(/body\.reason/);
    expect(
      (await call(`/api/v1/incidents/${incidentId}/notes`, { body: 'x', type: 'text/plain' }))
        .status,
    ).toBe(415);
    expect(
      (await call(`/api/v1/incidents/${incidentId}/notes`, { body: '{not json' })).json.code,
    ).toBe('API_BODY_INVALID');
  });

  it('answers 404 with a stable code for an unknown incident', async () => {
    expect((await call('/api/v1/incidents/inc_nope')).json).toMatchObject({
      statusCode: 404,
      code: 'RESPOND_INCIDENT_UNKNOWN',
    });
  });

  it('refuses an approval by the wrong role with 403 and accepts the right one', async () => {
    const approval = (await call('/api/v1/approvals?status=open')).json.approvals.find(
      (a: { title: string }) => a.title.startsWith('Revoke key'),
    );
    const refused = await call(`/api/v1/approvals/${approval.id}`, {
      body: { decision: 'approved', role: 'intern' },
    });
    expect(refused).toMatchObject({ status: 403, json: { code: 'RESPOND_APPROVAL_WRONG_ROLE' } });
    const ok = await call(`/api/v1/approvals/${approval.id}`, {
      body: { decision: 'rejected', role: 'soc-lead' },
    });
    expect(ok.json.status).toBe('rejected');
    const again = await call(`/api/v1/approvals/${approval.id}`, {
      body: { decision: 'approved', role: 'soc-lead' },
    });
    expect(again.json.code).toBe('RESPOND_APPROVAL_DECIDED');
    await eventually(
      async () =>
        (await call('/api/v1/runs')).json.runs.find(
          (r: { playbookId: string }) => r.playbookId === 'model-extraction',
        ).status === 'stopped',
    );
  });

  it('validates playbooks with every problem and its line, and plans a dry run', async () => {
    const r = await call('/api/v1/playbooks/validate', {
      body: { yaml: 'id: x\nname: y\ntrigger: {kinds: []}\nsteps: []\n' },
    });
    expect(r.json.ok).toBe(false);
    expect(r.json.problems.map((p: { line: number }) => p.line)).toEqual([3, 4]);
    const plan = await call('/api/v1/playbooks/fraud-evasion/run', {
      body: { incidentId, dryRun: true },
    });
    expect(plan.json.plan[0].description).toMatch(/apply rate_limit/);
    expect(rig.audit.some((a) => a.playbookId === 'fraud-evasion')).toBe(false);
  });

  it('serves evidence by digest and records the hand-over', async () => {
    const [item] = (await call(`/api/v1/evidence?incident=${incidentId}`)).json.evidence;
    const res = await api.request(`/api/v1/evidence/${item.digest}/content`, {
      headers: { authorization: 'Bearer secret-token' },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(item.digest);
    expect(rig.audit.at(-1)).toMatchObject({
      type: 'respond.evidence.handed_over',
      recipient: 'admin', // the bootstrap admin: the identity the token stands for
      digests: [item.digest],
    });
  });

  it("lifts the incident's containment", async () => {
    const r = await call(`/api/v1/incidents/${incidentId}/lift`, { body: {} });
    // The key's throttle, the rounding and the watermark of its answers.
    expect(r.json.lifted).toHaveLength(3);
    await eventually(() => rig.policy().rateLimits.size === 0);
  });
});
