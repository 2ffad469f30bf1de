import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  buildPolicySnapshot,
  type AppliedAction,
  type InferenceEvent,
  type PolicySnapshot,
} from '../core/index.js';
import { startTestUpstream } from '../../test/support/upstream.js';
import {
  createGateway,
  createKeyDirectory,
  generateApiKey,
  type Escalation,
  type Gateway,
  watermarkedRows,
} from './index.js';

type Upstream = Awaited<ReturnType<typeof startTestUpstream>>;

/** Containment that holds: rows cost tokens, refusals are generic, refused queries stay refused. */
describe('gateway containment', () => {
  let upstream: Upstream;
  let gateway: Gateway;
  let url: string;
  let snapshot: PolicySnapshot = buildPolicySnapshot(0, []);
  const events: InferenceEvent[] = [];
  const escalations: Escalation[] = [];
  const [thief, quota, plain, watched, suspect] = [1, 2, 3, 4, 5].map(() => generateApiKey());
  const actions: AppliedAction[] = [];
  const apply = (id: string, action: AppliedAction['action']) => {
    actions.push({
      id,
      action,
      reason: 'test',
      actor: 'test',
      appliedAt: new Date().toISOString(),
      liftedAt: null,
      liftedBy: null,
    });
    snapshot = buildPolicySnapshot(actions.length, actions);
  };

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = parseConfig({
      gateway: {
        port: 0,
        bodyLimitBytes: 1_048_576,
        defaultRateLimit: { ratePerSecond: 1000, burst: 1000, rowsPerSecond: 1, rowBurst: 100 },
      },
      models: [
        { id: 'fraud', featureCount: 3, versions: [{ version: '1', upstream: upstream.url }] },
        {
          id: 'small',
          featureCount: 3,
          rowLimit: { rowsPerSecond: 0.01, rowBurst: 20 },
          versions: [{ version: '1', upstream: upstream.url }],
        },
        {
          id: 'watched',
          featureCount: 3,
          detection: { mode: 'blocking', escalateAfterTrips: 2 },
          baseline: 'unused.csv',
          versions: [{ version: '1', upstream: upstream.url }],
        },
      ],
    });
    const keys = createKeyDirectory();
    const entry = (k: typeof thief, principal: string) => ({
      hash: k!.hash,
      key: { id: k!.id, principal, models: null, ratePerSecond: null, burst: null },
    });
    keys.replace([
      entry(thief, 'thief'),
      entry(quota, 'quota'),
      entry(plain, 'plain'),
      entry(watched, 'watched'),
      entry(suspect, 'suspect'),
    ]);
    let alerts = 0;
    gateway = createGateway({
      config: config.gateway,
      models: config.models,
      keys,
      policy: () => snapshot,
      localModels: new Map(),
      events: { record: (event) => void events.push(event) },
      // A deterministic stand-in for the per-principal detectors: a row whose first feature
      // is over 100 is a finding.
      inlineDetection: {
        inspect: (event) =>
          (event.features ?? []).some((r) => r[0]! > 100)
            ? { detector: 'extraction.test', alertId: `alr_${++alerts}` }
            : null,
      },
      onEscalate: (e) => void escalations.push(e),
    });
    url = await gateway.listen();
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const rows = (n: number, first = 1) => Array.from({ length: n }, (_, i) => [first, i, 3]);
  const answer = async (key: typeof thief, body: number[][]) => {
    const r = await send('fraud', key, body);
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text) as { outputs: { name: string; shape: number[]; data: number[] }[] };
  };
  const send = async (model: string, key: typeof thief, body: number[][]) => {
    const res = await fetch(`${url}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key!.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [body.length, 3], datatype: 'FP32', data: body.flat() }],
      }),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      text: await res.text(),
    };
  };
  const last = () => events[events.length - 1]!;

  it('charges a rate_limit action one row token per row: a 64-row request costs 64', async () => {
    apply('act_rows', {
      kind: 'rate_limit',
      keyId: thief!.id,
      ratePerSecond: 100,
      burst: 100,
      rowsPerSecond: 1,
      rowBurst: 64,
    });
    expect((await send('fraud', thief, rows(64))).status).toBe(200);
    const refused = await send('fraud', thief, rows(64));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(60);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'GATEWAY_RATE_LIMITED' });
    expect(refused.text).not.toMatch(/act_|rate_limit|containment/);
    expect(last()).toMatchObject({
      errorCode: 'GATEWAY_RATE_LIMITED',
      policyAction: 'rate_limit:act_rows',
    });
  });

  it('refuses, without Retry-After, a request with more rows than the burst can ever hold', async () => {
    apply('act_slow', { kind: 'rate_limit', keyId: thief!.id, ratePerSecond: 0.2, burst: 5 });
    const refused = await send('fraud', thief, rows(6));
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeNull();
    expect(last().policyAction).toBe('rate_limit:act_slow');
  });

  it('applies the configured default row limit to keys under no containment', async () => {
    expect((await send('fraud', plain, rows(100))).status).toBe(200);
    expect((await send('fraud', plain, rows(5))).status).toBe(429);
    expect(last()).toMatchObject({ errorCode: 'GATEWAY_RATE_LIMITED', policyAction: null });
  });

  it("applies a model's rowLimit per key on that model, beside the key's own limit", async () => {
    expect((await send('small', quota, rows(20))).status).toBe(200);
    expect((await send('small', quota, rows(1))).status).toBe(429);
    // The same key still has row tokens for other models.
    expect((await send('fraud', quota, rows(20))).status).toBe(200);
  });

  it('keeps a daily row quota from a rate_limit action', async () => {
    const k = quota!;
    apply('act_quota', {
      kind: 'rate_limit',
      keyId: k.id,
      ratePerSecond: 100,
      burst: 100,
      rowsPerSecond: 1000,
      rowBurst: 1000,
      rowsPerDay: 30,
    });
    expect((await send('fraud', quota, rows(30))).status).toBe(200);
    const refused = await send('fraud', quota, rows(1));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(60);
  });

  it('refuses a query blocking detection refused when it is sent again, with a generic 403', async () => {
    const attack = [[500, 1, 2]];
    const first = await send('watched', watched, attack);
    expect(first.status).toBe(403);
    expect(first.text).not.toMatch(/extraction|alr_|detect|act_/);
    expect(JSON.parse(first.text)).toMatchObject({ code: 'GATEWAY_FORBIDDEN' });
    expect(last()).toMatchObject({ errorCode: 'GATEWAY_DETECTION_BLOCKED' });
    // The same row hidden among harmless ones: still refused, though no detector fires.
    const again = await send('watched', watched, [[1, 1, 1], ...attack]);
    expect(again.status).toBe(403);
    expect(last()).toMatchObject({ errorCode: 'GATEWAY_DETECTION_BLOCKED', outputs: null });
    expect((await send('watched', watched, [[1, 1, 1]])).status).toBe(200);
    expect(escalations).toEqual([]);
  });

  it('escalates after the configured number of trips', async () => {
    expect((await send('watched', watched, [[600, 1, 2]])).status).toBe(403);
    expect(escalations).toEqual([
      expect.objectContaining({
        keyId: watched!.id,
        principal: 'watched',
        model: 'watched',
        trips: 2,
        detector: 'extraction.test',
      }),
    ]);
  });

  describe("containment of one key's answers", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => [i / 100, -i / 300, 0.5]);
    beforeAll(() => {
      for (const k of [suspect!, plain!])
        apply(`act_room_${k.id}`, {
          kind: 'rate_limit',
          keyId: k.id,
          ratePerSecond: 1000,
          burst: 1000,
          rowsPerSecond: 1e6,
          rowBurst: 1e6,
        });
    });

    it('answers one key label-only while the others keep their scores', async () => {
      apply('act_label', {
        kind: 'harden_output',
        model: 'fraud',
        mode: 'label_only',
        decimals: 2,
        keyId: suspect!.id,
      });
      const theirs = await answer(suspect, [[1, 2, 3]]);
      expect(theirs.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }]);
      expect(last().policyAction).toContain('harden_output:act_label');
      const others = await answer(plain, [[1, 2, 3]]);
      expect(others.outputs[0]!.name).toBe('probabilities');
    });

    it('truncates to the top k scores', async () => {
      apply('act_topk', {
        kind: 'harden_output',
        model: 'fraud',
        mode: 'top_k',
        decimals: 2,
        k: 1,
        keyId: suspect!.id,
      });
      const { outputs } = await answer(suspect, [[1, 2, 3]]);
      expect(outputs[0]!.shape).toEqual([1, 2]);
      expect(outputs[0]!.data[0]).toBe(0);
      expect(outputs[0]!.data[1]).toBeGreaterThan(0.99);
    });

    it("watermarks a keyed share under 0.5 % of one key's answers and records which", async () => {
      apply('act_topk_off', {
        kind: 'harden_output',
        model: 'fraud',
        mode: 'round',
        decimals: 6,
        keyId: suspect!.id,
      });
      apply('act_wm', { kind: 'watermark', model: 'fraud', keyId: suspect!.id, share: 0.004 });
      const rows = many(3000);
      const expected = watermarkedRows('act_wm', 'fraud', suspect!.id, rows, 0.004);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length / rows.length).toBeLessThan(0.01);
      const marked = (await answer(suspect, rows)).outputs[0]!.data;
      const clean = (await answer(plain, rows)).outputs[0]!.data;
      const flipped = rows
        .map((_, i) => i)
        .filter((i) => Math.sign(marked[2 * i + 1]! - 0.5) !== Math.sign(clean[2 * i + 1]! - 0.5));
      expect(flipped).toEqual(expected.filter((i) => clean[2 * i + 1] !== 0.5));
      const event = events.findLast((e) => e.keyId === suspect!.id)!;
      expect(event.policyAction).toContain(`watermark:act_wm/rows=${expected.join(';')}`);
      // The same rows asked again get the same (marked) answers: re-asking reveals nothing.
      expect((await answer(suspect, rows)).outputs[0]!.data).toEqual(marked);
    });
  });
});
