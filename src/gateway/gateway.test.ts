import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  AppError,
  buildPolicySnapshot,
  type AppliedAction,
  type InferenceEvent,
  type PolicySnapshot,
} from '../core/index.js';
import { startTestUpstream } from '../../test/support/upstream.js';
import { createGateway, createKeyDirectory, generateApiKey, type Gateway } from './index.js';

type Upstream = Awaited<ReturnType<typeof startTestUpstream>>;

describe('gateway', () => {
  let upstream: Upstream;
  let hanging: Upstream;
  let gateway: Gateway;
  let url: string;
  let snapshot: PolicySnapshot = buildPolicySnapshot(0, []);
  let sinkMode: 'ok' | 'full' = 'ok';
  const events: InferenceEvent[] = [];
  const alice = generateApiKey();
  const bob = generateApiKey();
  const limited = generateApiKey();

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
  const liftAll = () => {
    actions.length = 0;
    snapshot = buildPolicySnapshot(0, []);
  };

  // Shared state goes back to normal after every test, also when one fails half-way.
  afterEach(() => {
    liftAll();
    sinkMode = 'ok';
  });

  beforeAll(async () => {
    upstream = await startTestUpstream();
    hanging = await startTestUpstream({ hang: true });
    const config = parseConfig({
      gateway: { port: 0, bodyLimitBytes: 4096, bodyTimeoutMs: 300, upstreamTimeoutMs: 300 },
      models: [
        {
          id: 'fraud',
          featureCount: 3,
          versions: [
            { version: '1', upstream: upstream.url },
            { version: '2', upstream: 'http://127.0.0.1:9' },
          ],
          activeVersion: '1',
        },
        { id: 'tf', protocol: 'tf-serving', versions: [{ version: '1', upstream: upstream.url }] },
        {
          id: 'gen',
          protocol: 'generic-json',
          generic: { featuresPointer: '/payload/x', outputsPointer: '/result/scores' },
          versions: [{ version: '1', upstream: `${upstream.url}/score` }],
        },
        { id: 'slow', versions: [{ version: '1', upstream: hanging.url }] },
        { id: 'down', versions: [{ version: '1', upstream: 'http://127.0.0.1:9' }] },
      ],
    });
    const keys = createKeyDirectory();
    keys.replace([
      {
        hash: alice.hash,
        key: { id: alice.id, principal: 'alice', models: null, ratePerSecond: null, burst: null },
      },
      {
        hash: bob.hash,
        key: { id: bob.id, principal: 'bob', models: ['tf'], ratePerSecond: null, burst: null },
      },
      {
        hash: limited.hash,
        key: { id: limited.id, principal: 'lim', models: null, ratePerSecond: 1, burst: 2 },
      },
    ]);
    gateway = createGateway({
      config: config.gateway,
      models: config.models,
      keys,
      policy: () => snapshot,
      localModels: new Map(),
      events: {
        record(event) {
          if (sinkMode === 'full')
            throw new AppError('LEDGER_BACKPRESSURE', 'queue full', { status: 503 });
          events.push(event);
        },
      },
    });
    url = await gateway.listen();
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
    await hanging.close();
  });

  const kserve = (rows: number[][]) => ({
    inputs: [
      { name: 'input', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() },
    ],
  });
  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${alice.secret}` },
  ) =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const lastEvent = () => events[events.length - 1]!;

  it('forwards a KServe V2 request and records features, outputs and principal', async () => {
    const res = await post(
      '/v2/models/fraud/infer',
      kserve([
        [1, 2, 3],
        [0, 0, 0],
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { data: number[] }[] };
    expect(body.outputs[0]!.data).toHaveLength(4);
    const event = lastEvent();
    expect(event).toMatchObject({
      model: 'fraud',
      modelVersion: '1',
      principal: 'alice',
      keyId: alice.id,
      status: 200,
      outcome: 'ok',
      features: [
        [1, 2, 3],
        [0, 0, 0],
      ],
    });
    expect(event.outputs).toHaveLength(2);
    expect(event.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('never forwards the client API key or hop-by-hop headers upstream', async () => {
    await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]), {
      authorization: `Bearer ${alice.secret}`,
      connection: 'keep-alive, x-secret',
      'x-secret': 's',
      'proxy-authorization': 'p',
    });
    const seen = upstream.requests[upstream.requests.length - 1]!;
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-secret']).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
  });

  it('speaks TF Serving and generic JSON with pointers', async () => {
    const tf = await post('/v1/models/tf:predict', { instances: [[0.5, 0.5]] });
    expect(tf.status).toBe(200);
    expect(lastEvent()).toMatchObject({ protocol: 'tf-serving', features: [[0.5, 0.5]] });
    const gen = await post('/generic/gen', { payload: { x: [[1, 1]] } });
    expect(gen.status).toBe(200);
    expect(lastEvent()).toMatchObject({ protocol: 'generic-json', features: [[1, 1]] });
    expect(lastEvent().outputs).toHaveLength(1);
  });

  it.each([
    ['no key', {}, 401, 'GATEWAY_KEY_MISSING'],
    ['a forged key', { authorization: 'Bearer aisoc_forged' }, 401, 'GATEWAY_KEY_INVALID'],
    [
      'a malformed authorization header',
      { authorization: 'Basic abc' },
      401,
      'GATEWAY_KEY_MISSING',
    ],
  ])('rejects %s with 401 and still records the event', async (_name, headers, status, code) => {
    const before = events.length;
    const res = await post(
      '/v2/models/fraud/infer',
      kserve([[1, 2, 3]]),
      headers as Record<string, string>,
    );
    expect(res.status).toBe(status);
    expect(((await res.json()) as { code: string }).code).toBe(code);
    expect(events.length).toBe(before + 1);
    expect(lastEvent()).toMatchObject({
      status,
      outcome: 'rejected',
      errorCode: code,
      principal: null,
    });
  });

  it('returns a generic 403 when the key is suspended or revoked; the event names the action', async () => {
    apply('act_s', { kind: 'suspend_key', keyId: alice.id });
    let res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(403);
    let text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'GATEWAY_FORBIDDEN', statusCode: 403 });
    expect(text).not.toMatch(/act_|suspend|containment/);
    expect(lastEvent()).toMatchObject({
      principal: 'alice',
      status: 403,
      errorCode: 'GATEWAY_KEY_SUSPENDED',
      policyAction: 'suspend_key:act_s',
    });
    apply('act_r', { kind: 'revoke_key', keyId: alice.id });
    res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'GATEWAY_FORBIDDEN' });
    expect(text).not.toMatch(/act_|revoke/);
    expect(lastEvent()).toMatchObject({
      errorCode: 'GATEWAY_KEY_REVOKED',
      policyAction: 'revoke_key:act_r',
    });
    liftAll();
  });

  it('returns 403 when the key may not call the model', async () => {
    const res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]), {
      authorization: `Bearer ${bob.secret}`,
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_MODEL_FORBIDDEN');
  });

  it('returns 429 with Retry-After once the key is over its rate', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]), {
        authorization: `Bearer ${limited.secret}`,
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('answers from the fallback while the model is isolated', async () => {
    apply('act_i', {
      kind: 'isolate_model',
      model: 'fraud',
      fallback: { kind: 'static', status: 200, body: { label: 0, note: 'isolated' } },
    });
    let res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(await res.json()).toEqual({ label: 0, note: 'isolated' });
    expect(lastEvent()).toMatchObject({
      outcome: 'fallback',
      policyAction: 'isolate_model:act_i',
      features: [[1, 2, 3]],
    });
    liftAll();
    apply('act_i2', { kind: 'isolate_model', model: 'fraud' });
    res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_MODEL_ISOLATED');
  });

  it('serves the pinned version whatever the client asks for', async () => {
    apply('act_p', { kind: 'pin_version', model: 'fraud', version: '2' });
    const res = await post('/v2/models/fraud/versions/1/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(502); // version 2 points at a closed port: proves the pin was followed
    expect(lastEvent()).toMatchObject({ modelVersion: '2', policyAction: 'pin_version:act_p' });
  });

  it.each([
    ['invalid JSON', '{"inputs": [', 400, 'GATEWAY_BODY_INVALID_JSON'],
    [
      'a shape that does not match the data',
      { inputs: [{ shape: [1, 3], data: [1, 2] }] },
      400,
      'GATEWAY_INPUT_INVALID',
    ],
    [
      'a string where a number belongs',
      { inputs: [{ shape: [1, 3], data: [1, '2', 3] }] },
      400,
      'GATEWAY_INPUT_INVALID',
    ],
    [
      'the wrong number of features',
      { inputs: [{ shape: [1, 2], data: [1, 2] }] },
      400,
      'GATEWAY_INPUT_INVALID',
    ],
    [
      'a body over the limit',
      { inputs: [{ shape: [1, 3], data: [1, 2, 3] }], pad: 'x'.repeat(5000) },
      413,
      'GATEWAY_BODY_TOO_LARGE',
    ],
  ])('refuses %s with a clear error', async (_name, body, status, code) => {
    const res = await post('/v2/models/fraud/infer', body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { code: string; message: string; statusCode: number };
    expect(json.code).toBe(code);
    expect(json.statusCode).toBe(status);
    expect(json.message.length).toBeGreaterThan(10);
    expect(lastEvent()).toMatchObject({ status, errorCode: code });
  });

  it('refuses a wrong content type, an unknown model and an unknown route', async () => {
    let res = await fetch(`${url}/v2/models/fraud/infer`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${alice.secret}` },
      body: 'x',
    });
    expect(res.status).toBe(415);
    res = await post('/v2/models/nope/infer', kserve([[1]]));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_MODEL_UNKNOWN');
    expect(lastEvent().model).toBe('nope');
    res = await post('/admin', {});
    expect(res.status).toBe(404);
  });

  it('answers 502 when the upstream is down and 504 when it hangs', async () => {
    let res = await post('/v2/models/down/infer', kserve([[1]]));
    expect(res.status).toBe(502);
    expect(lastEvent()).toMatchObject({
      outcome: 'upstream_error',
      errorCode: 'GATEWAY_UPSTREAM_UNREACHABLE',
    });
    res = await post('/v2/models/slow/infer', kserve([[1]]));
    expect(res.status).toBe(504);
    expect(lastEvent()).toMatchObject({ errorCode: 'GATEWAY_UPSTREAM_TIMEOUT' });
  });

  it('answers 408 to a body that arrives too slowly, and stays up', async () => {
    const port = new URL(url).port;
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v2/models/fraud/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${alice.secret}\r\ncontent-length: 100\r\n\r\n{"inp`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      setTimeout(() => socket.destroy(), 2000);
    });
    expect(reply).toMatch(/^HTTP\/1.1 408/);
    const res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(200);
  });

  it('does not reflect a hostile request id', async () => {
    const res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]), {
      authorization: `Bearer ${alice.secret}`,
      'x-request-id': 'a b<script>',
    });
    expect(res.headers.get('x-request-id')).toMatch(/^evt_/);
  });

  it('answers 503 and withholds the model output when the ledger refuses events', async () => {
    sinkMode = 'full';
    const res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_LEDGER_BACKPRESSURE');
    expect(gateway.stats().eventsRefused).toBe(1);
  });

  it('answers only the top label while outputs are hardened to top1, and records the true scores', async () => {
    apply('act_h', { kind: 'harden_output', model: 'fraud', mode: 'top1', decimals: 2 });
    const res = await post(
      '/v2/models/fraud/infer',
      kserve([
        [1, 2, 3],
        [-5, -5, -5],
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outputs: [{ name: 'label', datatype: 'INT64', shape: [2], data: [1, 0] }],
    });
    expect(lastEvent()).toMatchObject({ policyAction: 'harden_output:act_h' });
    expect((lastEvent().outputs as number[][])[0]![1]).toBeGreaterThan(0.99);
  });

  it('rounds every score while outputs are hardened to round', async () => {
    apply('act_r2', { kind: 'harden_output', model: 'tf', mode: 'round', decimals: 1 });
    const res = await post('/v1/models/tf:predict', { instances: [[0.3, 0.1]] });
    const body = (await res.json()) as { predictions: number[][] };
    expect(body.predictions[0]).toEqual([0.4, 0.6]);
  });

  it('refuses rows that match a block_input rule; only the event names the row and action', async () => {
    apply('act_b', {
      kind: 'block_input',
      model: 'fraud',
      rule: { type: 'range', feature: 2, min: 100, match: 'inside' },
    });
    let res = await post(
      '/v2/models/fraud/infer',
      kserve([
        [1, 2, 3],
        [1, 2, 500],
      ]),
    );
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'GATEWAY_FORBIDDEN' });
    expect(text).not.toMatch(/act_|block_input|row 1/);
    expect(lastEvent()).toMatchObject({
      errorCode: 'GATEWAY_INPUT_BLOCKED',
      policyAction: 'block_input:act_b',
    });
    res = await post('/v2/models/fraud/infer', kserve([[1, 2, 3]]));
    expect(res.status).toBe(200);
    liftAll();
    const { sha256Hex, canonicalJson } = await import('../core/index.js');
    apply('act_d', {
      kind: 'block_input',
      model: 'fraud',
      rule: { type: 'row_digest', digests: [sha256Hex(canonicalJson([7, 8, 9]))] },
    });
    expect((await post('/v2/models/fraud/infer', kserve([[7, 8, 9]]))).status).toBe(403);
    expect((await post('/v2/models/fraud/infer', kserve([[7, 8, 9.5]]))).status).toBe(200);
  });
});
