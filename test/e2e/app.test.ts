import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { checkAuditLedger } from '../support/audit-entries.js';

describe('aisoc end to end on the embedded defaults', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let secret: string;
  let keyId: string;

  beforeAll(async () => {
    t = await startTestAisoc();
    const created = await t.admin('/api/v1/keys', { body: { principal: 'team-a' } });
    expect(created.status).toBe(201);
    secret = created.json.secret;
    keyId = created.json.key.id;
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  const infer = (model: string, rows: number[][], key = secret) =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    });

  it('answers with the bundled ONNX model and records the event in the ledger', async () => {
    const rows = await demoRows('breast-cancer', 'holdout', 3);
    const res = await infer('breast-cancer', rows);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    const probs = body.outputs.find((o) => o.name === 'probabilities')!;
    expect(probs.shape).toEqual([3, 2]);
    for (let i = 0; i < 3; i++)
      expect(probs.data[2 * i]! + probs.data[2 * i + 1]!).toBeCloseTo(1, 5);
    const requestId = res.headers.get('x-request-id');
    await t.aisoc.ledger.flush();
    const events = await t.admin('/api/v1/events?limit=10');
    const event = events.json.events.find((e: { requestId: string }) => e.requestId === requestId);
    expect(event).toMatchObject({
      model: 'breast-cancer',
      modelVersion: '1',
      principal: 'team-a',
      status: 200,
      outcome: 'ok',
    });
    expect(event.artifactDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(event.features).toHaveLength(3);
  });

  it('suspends a key through the admin API and the gateway enforces it at once', async () => {
    const rows = await demoRows('digits', 'holdout', 1);
    expect((await infer('digits', rows)).status).toBe(200);
    const applied = await t.admin('/api/v1/actions', {
      body: { action: { kind: 'suspend_key', keyId }, reason: 'e2e' },
    });
    expect(applied.status).toBe(201);
    const blocked = await infer('digits', rows);
    expect(blocked.status).toBe(403);
    // The client is told only that it is refused; the admin view (the event) names the action.
    const body = await blocked.text();
    expect(JSON.parse(body).code).toBe('GATEWAY_FORBIDDEN');
    expect(body).not.toContain(applied.json.id);
    await t.aisoc.ledger.flush();
    const events = (await t.admin('/api/v1/events?limit=1000')).json.events as {
      requestId: string;
      errorCode: string | null;
      policyAction: string | null;
    }[];
    expect(events.find((e) => e.requestId === blocked.headers.get('x-request-id'))).toMatchObject({
      errorCode: 'GATEWAY_KEY_SUSPENDED',
      policyAction: `suspend_key:${applied.json.id}`,
    });
    const keys = await t.admin('/api/v1/keys');
    expect(keys.json.keys.find((k: { id: string }) => k.id === keyId).state).toBe('suspended');
    const lifted = await t.admin(`/api/v1/actions/${applied.json.id}/lift`, { method: 'POST' });
    expect(lifted.json.status).toBe('lifted');
    expect(
      (await t.admin(`/api/v1/actions/${applied.json.id}/lift`, { method: 'POST' })).json.status,
    ).toBe('already_lifted');
    expect((await infer('digits', rows)).status).toBe(200);
  });

  it('refuses an action on a key that does not exist', async () => {
    const res = await t.admin('/api/v1/actions', {
      body: { action: { kind: 'revoke_key', keyId: 'key_nope' }, reason: 'x' },
    });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('ACTION_TARGET_UNKNOWN');
  });

  it('writes every admin change to the audit ledger and both ledgers verify', async () => {
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?from=0&limit=100');
    const types = audit.json.entries.map((e: { payload: { type: string } }) => e.payload.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'gateway.key.created',
        'respond.action.applied',
        'respond.action.lifted',
      ]),
    );
    for (const stream of ['inference', 'audit']) {
      const verified = await t.admin(`/api/v1/ledger/${stream}/verify`, { method: 'POST' });
      expect(verified.json.ok).toBe(true);
    }
  });

  it('refuses the admin API without the token, and validates input with paths', async () => {
    expect((await t.admin('/api/v1/keys', { token: 'wrong-token' })).status).toBe(401);
    const bad = await t.admin('/api/v1/keys', { body: { principal: '', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('VALIDATION_FAILED');
    expect(bad.json.message).toContain('body.principal');
    expect((await t.admin('/api/v1/ledger/nope/checkpoint')).status).toBe(404);
  });

  it('serves health and Prometheus metrics', async () => {
    const health = await fetch(`${t.aisoc.adminUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${t.aisoc.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/aisoc_gateway_requests\{outcome="ok"\} [1-9]/);
    expect(metrics).toContain('aisoc_ledger_events{state="written"}');
  });

  it('raises a drift alert when the traffic moves away from the baseline', async () => {
    // One batch of 600 shifted rows closes a 500-row drift window. The same traffic looks like
    // probing to the extraction detector, whose playbook then throttles the key, so it gets
    // a key of its own.
    const probe = await t.admin('/api/v1/keys', { body: { principal: 'drift-probe' } });
    const holdout = await demoRows('breast-cancer', 'holdout', 100);
    const rows = Array.from({ length: 6 }, () => holdout.map((r) => r.map((v) => v * 3))).flat();
    expect((await infer('breast-cancer', rows, probe.json.secret)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const alerts = await t.admin('/api/v1/alerts?model=breast-cancer');
    const drift = alerts.json.alerts.find((a: { detector: string }) => a.detector === 'drift');
    expect(drift).toBeDefined();
    expect(drift.kind).toBe('drift');
    const windows = await t.admin('/api/v1/drift/breast-cancer');
    expect(windows.json.windows.length).toBeGreaterThan(0);
    const detectors = await t.admin('/api/v1/detectors');
    expect(detectors.json.detectors.map((d: { name: string }) => d.name)).toContain('drift');
  });

  it('flags a key that sends model-extraction queries through the gateway', async () => {
    const created = await t.admin('/api/v1/keys', { body: { principal: 'extractor' } });
    const reference = await demoRows('breast-cancer', 'reference', 100);
    const lo = reference[0]!.map((_, j) => Math.min(...reference.map((r) => r[j]!)));
    const hi = reference[0]!.map((_, j) => Math.max(...reference.map((r) => r[j]!)));
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let firstAlarm: number | null = null;
    for (let q = 1; q <= 100 && firstAlarm === null; q++) {
      const row = lo.map((l, j) => l + random() * (hi[j]! - l));
      expect((await infer('breast-cancer', [row], created.json.secret)).status).toBe(200);
      await new Promise((r) => setImmediate(r));
      const alerts = await t.admin('/api/v1/alerts?model=breast-cancer&limit=1000');
      if (
        alerts.json.alerts.some(
          (a: { principal: string; detector: string }) =>
            a.principal === 'extractor' && a.detector.startsWith('extraction'),
        )
      )
        firstAlarm = q;
    }
    expect(firstAlarm).not.toBeNull();
    expect(firstAlarm!).toBeLessThanOrEqual(100);
  });

  it('takes ground-truth labels by request id and counts the unknown and malformed ones', async () => {
    const labeller = await t.admin('/api/v1/keys', { body: { principal: 'labeller' } });
    const res = await infer(
      'breast-cancer',
      await demoRows('breast-cancer', 'holdout', 1),
      labeller.json.secret,
    );
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    await new Promise((r) => setTimeout(r, 20));
    const fed = await t.admin('/api/v1/feedback', {
      body: {
        items: [{ requestId, label: 1 }, { requestId: 'evt_unknown', label: 0 }, { label: 'x' }],
      },
    });
    expect(fed.status).toBe(200);
    expect(fed.json).toMatchObject({ accepted: 1, unknown: 1, invalid: 1 });
  });

  it('checkpoints detector state at shutdown and restores it on the next start', async () => {
    const before = (await t.admin('/healthz')).json.detection.events as number;
    expect(before).toBeGreaterThan(0);
    await t.aisoc.close();
    const { startAisoc } = await import('../../src/app/index.js');
    t.aisoc = await startAisoc(t.config);
    const after = await fetch(`${t.aisoc.adminUrl}/healthz`);
    expect(((await after.json()) as { detection: { events: number } }).detection.events).toBe(
      before,
    );
  });

  it('writes only audit entries that match AuditEntrySchema', async () => {
    await t.aisoc.ledger.flush();
    const { problems, types } = await checkAuditLedger(t.aisoc.store);
    expect(problems).toEqual([]);
    expect(types.size).toBeGreaterThan(1);
  });
});
