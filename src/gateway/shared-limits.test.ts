import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  buildPolicySnapshot,
  type AppliedAction,
  type InferenceEvent,
  type PolicySnapshot,
} from '../core/index.js';
import { startTestUpstream } from '../../test/support/upstream.js';
import { createGateway, createKeyDirectory, endpointProblem, generateApiKey } from './index.js';

type Upstream = Awaited<ReturnType<typeof startTestUpstream>>;

/** A `rate_limit` on a model or one of its paths: one bucket every key shares, at a real gateway. */
describe('model- and endpoint-wide rate limits', () => {
  let upstream: Upstream;
  let gateway: ReturnType<typeof createGateway>;
  let url: string;
  let snapshot: PolicySnapshot = buildPolicySnapshot(0, []);
  const events: InferenceEvent[] = [];
  const [alice, bob] = [1, 2].map(() => generateApiKey());
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
  const lift = (id: string) => {
    const a = actions.find((x) => x.id === id)!;
    a.liftedAt = new Date().toISOString();
    snapshot = buildPolicySnapshot(actions.length + 1, actions);
  };

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = parseConfig({
      gateway: { port: 0, defaultRateLimit: { ratePerSecond: 1000, burst: 1000 } },
      models: [
        { id: 'fraud', featureCount: 3, versions: [{ version: '1', upstream: upstream.url }] },
        { id: 'other', featureCount: 3, versions: [{ version: '1', upstream: upstream.url }] },
      ],
    });
    const keys = createKeyDirectory();
    keys.replace(
      [alice, bob].map((k, i) => ({
        hash: k!.hash,
        key: { id: k!.id, principal: `p${i}`, models: null, ratePerSecond: null, burst: null },
      })),
    );
    gateway = createGateway({
      config: config.gateway,
      models: config.models,
      keys,
      policy: () => snapshot,
      localModels: new Map(),
      events: { record: (event) => void events.push(event) },
    });
    url = await gateway.listen();
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const send = async (path: string, key: typeof alice, rows = 1) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key!.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [rows, 3],
            datatype: 'FP32',
            data: Array.from({ length: rows * 3 }, (_, i) => i),
          },
        ],
      }),
    });
    return { status: res.status, text: await res.text() };
  };
  const statuses = async (n: number, path: string, key: typeof alice) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(path, key)).status);
    return out;
  };
  const FRAUD = '/v2/models/fraud/infer';

  it('shares one bucket among every key of the model, refuses with the generic 429, and serves again once lifted', async () => {
    apply('act_model', { kind: 'rate_limit', model: 'fraud', ratePerSecond: 0.01, burst: 3 });
    expect(await statuses(2, FRAUD, alice)).toEqual([200, 200]);
    // Bob has never sent a request, yet the model's bucket has one token left for everyone.
    expect(await statuses(2, FRAUD, bob)).toEqual([200, 429]);
    const refused = await send(FRAUD, alice);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'GATEWAY_RATE_LIMITED' });
    expect(refused.text).not.toMatch(/act_|rate_limit|containment|fraud/);
    expect(events.at(-1)).toMatchObject({
      model: 'fraud',
      errorCode: 'GATEWAY_RATE_LIMITED',
      policyAction: 'rate_limit:act_model',
    });
    // Another model is not limited; every path of this one is.
    expect(await statuses(3, '/v2/models/other/infer', bob)).toEqual([200, 200, 200]);
    expect((await send('/v2/models/fraud/versions/1/infer', bob)).status).toBe(429);
    lift('act_model');
    expect(await statuses(5, FRAUD, bob)).toEqual([200, 200, 200, 200, 200]);
  });

  it('limits one endpoint only, whatever spelling of the path a client sends', async () => {
    apply('act_ep', {
      kind: 'rate_limit',
      model: 'fraud',
      endpoint: FRAUD,
      ratePerSecond: 0.01,
      burst: 1,
    });
    expect(await statuses(2, FRAUD, alice)).toEqual([200, 429]);
    // Percent-encoding the model name is the same endpoint, not a way round the limit.
    expect((await send('/v2/models/fr%61ud/infer', bob)).status).toBe(429);
    // The versioned path is another endpoint.
    expect(await statuses(2, '/v2/models/fraud/versions/1/infer', bob)).toEqual([200, 200]);
    expect(events.at(-1)!.policyAction).toBeNull();
    lift('act_ep');
    expect(await statuses(2, FRAUD, alice)).toEqual([200, 200]);
  });

  it('charges rows against the model, all or nothing', async () => {
    apply('act_rows', {
      kind: 'rate_limit',
      model: 'other',
      ratePerSecond: 100,
      burst: 100,
      rowsPerSecond: 0.01,
      rowBurst: 10,
    });
    expect((await send('/v2/models/other/infer', alice, 8)).status).toBe(200);
    expect((await send('/v2/models/other/infer', bob, 4)).status).toBe(429);
    expect((await send('/v2/models/other/infer', bob, 2)).status).toBe(200);
    lift('act_rows');
    expect((await send('/v2/models/other/infer', bob, 50)).status).toBe(200);
  });

  it('says which paths are endpoints of a model', () => {
    expect(endpointProblem('fraud', '/v2/models/fraud/infer')).toBeNull();
    expect(endpointProblem('fraud', '/v1/models/fraud/versions/2:predict')).toBeNull();
    expect(endpointProblem('fraud', '/v2/models/other/infer')).toMatch(/of model "other"/);
    expect(endpointProblem('fraud', '/v2/models/fraud')).toMatch(/no inference path/);
  });
});
