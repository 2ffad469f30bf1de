import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kserveBody, startTestAisoc } from '../support/aisoc.js';
import { eventually } from '../support/respond.js';
import { startTestUpstream } from '../support/upstream.js';

// A model behind a real upstream that starts failing: the gateway's circuit breaker opens,
// answers from the model's fallback, records every change in the audit ledger, raises an alert,
// shows its state in /metrics, then probes the recovered model and closes.
describe('per-model circuit breaker', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
  const behaviour: { status?: number } = {};
  const token = 'metrics-token-0123456789abcdef';
  let secret: string;
  const FALLBACK = { outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [0] }] };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-cb-'));
    writeFileSync(join(dir, 'metrics.token'), `${token}\n`, { mode: 0o600 });
    upstream = await startTestUpstream(behaviour);
    t = await startTestAisoc({
      models: [
        {
          id: 'credit',
          featureCount: 3,
          versions: [{ version: '1', upstream: upstream.url }],
          fallback: { kind: 'static', status: 200, body: FALLBACK },
          // A minute: on a loaded machine these requests take longer than a short window, and good
          // answers sliding out of it would change which failure opens the breaker.
          circuitBreaker: { windowMs: 60_000, minRequests: 10, errorRate: 0.5, openMs: 400 },
        },
      ],
      admin: {
        port: 0,
        tokenFile: join(dir, 'admin.token'),
        metricsTokenFile: join(dir, 'metrics.token'),
      },
    });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
  });
  afterAll(async () => {
    await t?.aisoc.close();
    await upstream?.close();
  });

  const infer = async () => {
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody([[0.1, 0.2, 0.3]]),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const circuitGauge = async () => {
    const text = await (
      await fetch(`${t.aisoc.adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    return /aisoc_gateway_circuit_state\{model="credit"\} (\d)/.exec(text)?.[1];
  };

  it('opens when the upstream starts failing, fails over to the fallback, and closes once it recovers', async () => {
    for (let i = 0; i < 12; i++) expect((await infer()).status).toBe(200);
    expect(await circuitGauge()).toBe('0');

    behaviour.status = 500;
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) seen.push((await infer()).status);
    // Failures pass through until half of the window's requests (at least 10) failed: 12 good
    // answers, so the 12th failure opens it; every later request gets the fallback.
    expect(seen.filter((s) => s === 500)).toHaveLength(12);
    expect(seen.slice(12)).toEqual(Array(18).fill(200));
    const upstreamSeen = upstream.requests.length;
    const answer = await infer();
    expect(answer.json).toEqual(FALLBACK);
    expect(upstream.requests.length).toBe(upstreamSeen); // the failing model is left alone
    expect(await circuitGauge()).toBe('2');

    const alert = await eventually(async () => {
      const { json } = await t.admin('/api/v1/alerts?model=credit');
      return (json.alerts as { kind: string; evidence: Record<string, unknown> }[]).find(
        (a) => a.kind === 'availability',
      );
    });
    expect(alert.evidence).toMatchObject({ model: 'credit', from: 'closed', to: 'open' });

    // Still failing after openMs: the probe fails and it opens again.
    await new Promise((r) => setTimeout(r, 450));
    expect((await infer()).status).toBe(500);
    expect((await infer()).json).toEqual(FALLBACK);

    behaviour.status = 200;
    await new Promise((r) => setTimeout(r, 450));
    // Three probes (the default) answered: closed, and the model answers again.
    for (let i = 0; i < 3; i++) {
      const probe = await infer();
      expect(probe.json).toHaveProperty('model_name');
    }
    expect(await circuitGauge()).toBe('0');
    expect((await infer()).json).toHaveProperty('model_name');

    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?from=0&limit=1000');
    const changes = (audit.json.entries as { payload: Record<string, unknown> }[])
      .map((e) => e.payload)
      .filter((p) => p.type === 'gateway.circuit.changed')
      .map((p) => `${p.from}→${p.to}`);
    expect(changes).toEqual([
      'closed→open',
      'open→half_open',
      'half_open→open',
      'open→half_open',
      'half_open→closed',
    ]);
  }, 30_000);
});
