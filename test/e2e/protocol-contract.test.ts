import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { buildPolicySnapshot, type GatewayProtocol } from '../../src/core/index.js';
import {
  createGateway,
  createKeyDirectory,
  generateApiKey,
  type Gateway,
  type LocalModel,
} from '../../src/gateway/index.js';
import {
  loadOnnxModel,
  startModelServer,
  type ModelServer,
  type OnnxModel,
} from '../../src/serve/index.js';

// One contract per protocol, run against both servers that speak it through src/protocol: the
// gateway (in-process ONNX versions) and the standalone model server. Same requests, same
// answers, same refusals (each server's codes end alike: GATEWAY_INPUT_INVALID, SERVE_INPUT_INVALID).

const DIGITS = 'models/digits/model.onnx';
const rows = readFileSync('data/digits/holdout.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1, 4)
  .map((l) => l.split(',').slice(0, -1).map(Number));
const ID: Record<GatewayProtocol, string> = {
  'kserve-v2': 'digits',
  'tf-serving': 'digits-tf',
  'generic-json': 'digits-generic',
};
const key = generateApiKey();

interface Target {
  name: string;
  url: () => string;
  headers: Record<string, string>;
}
let server: ModelServer;
let gateway: Gateway;
let gatewayUrl: string;
let local: OnnxModel;
let expected: { probabilities: number[][]; labels: number[] };
const targets: Target[] = [
  { name: 'model server', url: () => server.url, headers: {} },
  { name: 'gateway', url: () => gatewayUrl, headers: { authorization: `Bearer ${key.secret}` } },
];

beforeAll(async () => {
  server = await startModelServer({
    models: Object.values(ID).map((id) => ({ id, version: '1', path: DIGITS })),
  });
  local = await loadOnnxModel(DIGITS);
  expected = await local.infer(rows);
  const config = parseConfig({
    gateway: { port: 0 },
    models: Object.entries(ID).map(([protocol, id]) => ({
      id,
      protocol,
      featureCount: 64,
      versions: [{ version: '1', onnx: DIGITS }],
    })),
  });
  const keys = createKeyDirectory();
  keys.replace([
    {
      hash: key.hash,
      key: { id: key.id, principal: 'p', models: null, ratePerSecond: null, burst: null },
    },
  ]);
  gateway = createGateway({
    config: config.gateway,
    models: config.models,
    keys,
    policy: () => buildPolicySnapshot(0, []),
    localModels: new Map<string, LocalModel>(Object.values(ID).map((id) => [`${id}@1`, local])),
    events: { record() {} },
  });
  gatewayUrl = await gateway.listen();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await server?.close();
  await local?.close();
});

async function call(t: Target, method: string, path: string, body?: unknown, type?: string) {
  const res = await fetch(`${t.url()}${path}`, {
    method,
    headers: { 'content-type': type ?? 'application/json', ...t.headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function expectRefusal(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  suffix: string,
) {
  expect(res.status).toBe(status);
  expect(String(res.body.code)).toMatch(new RegExp(`^(GATEWAY|SERVE)_${suffix}$`));
}

describe.each(targets)('KServe V2 contract: $name', (t) => {
  const tensor = (data: unknown[]) => ({
    inputs: [{ name: 'input', shape: [rows.length, 64], datatype: 'FP32', data }],
  });

  it('answers infer with the probabilities and labels tensors', async () => {
    const res = await call(t, 'POST', '/v2/models/digits/infer', tensor(rows.flat()));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_name: 'digits', model_version: '1' });
    const [probabilities, label] = res.body.outputs as {
      name: string;
      shape: number[];
      data: number[];
    }[];
    expect(probabilities).toMatchObject({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [3, 10],
    });
    expect(probabilities!.data).toEqual(expected.probabilities.flat());
    expect(label).toMatchObject({
      name: 'label',
      datatype: 'INT64',
      shape: [3],
      data: expected.labels,
    });
  });

  it('answers the health, model metadata and model readiness routes', async () => {
    expect((await call(t, 'GET', '/v2/health/live')).status).toBe(200);
    expect((await call(t, 'GET', '/v2/health/ready')).status).toBe(200);
    for (const path of ['/v2/models/digits', '/v2/models/digits/versions/1']) {
      const meta = await call(t, 'GET', path);
      expect(meta.status).toBe(200);
      expect(meta.body).toMatchObject({
        name: 'digits',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ datatype: 'FP32', shape: [-1, 64] }],
        outputs: [{ name: 'probabilities' }, { name: 'label', datatype: 'INT64' }],
      });
    }
    expect((await call(t, 'GET', '/v2/models/digits/ready')).body).toEqual({
      name: 'digits',
      ready: true,
    });
    expectRefusal(await call(t, 'GET', '/v2/models/nope'), 404, '(MODEL_UNKNOWN|MODEL_NOT_FOUND)');
  });

  it('refuses a text value, a shape that does not fit, another content type and GET on infer', async () => {
    const text = rows.flat() as unknown[];
    text[70] = 'x';
    const bad = await call(t, 'POST', '/v2/models/digits/infer', tensor(text));
    expectRefusal(bad, 400, 'INPUT_INVALID');
    expect(bad.body.message).toMatch(/row 1, column 6/);
    expectRefusal(
      await call(t, 'POST', '/v2/models/digits/infer', {
        inputs: [{ name: 'input', shape: [3, 63], datatype: 'FP32', data: [] }],
      }),
      400,
      'INPUT_INVALID',
    );
    expectRefusal(
      await call(t, 'POST', '/v2/models/digits/infer', 'a=1', 'application/x-www-form-urlencoded'),
      415,
      '(UNSUPPORTED_MEDIA_TYPE|CONTENT_TYPE_UNSUPPORTED)',
    );
    expectRefusal(await call(t, 'GET', '/v2/models/digits/infer'), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe.each(targets)('TF Serving contract: $name', (t) => {
  it('predicts in row and columnar format and reports the model status', async () => {
    const row = await call(t, 'POST', '/v1/models/digits-tf:predict', { instances: rows });
    expect(row).toEqual({ status: 200, body: { predictions: expected.probabilities } });
    const named = await call(t, 'POST', '/v1/models/digits-tf/versions/1:predict', {
      instances: rows.map((input) => ({ input })),
    });
    expect(named.body).toEqual({ predictions: expected.probabilities });
    const status = await call(t, 'GET', '/v1/models/digits-tf');
    expect(status.body).toEqual({
      model_version_status: [
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
  });

  it('refuses a body without instances and a row of the wrong width', async () => {
    expectRefusal(
      await call(t, 'POST', '/v1/models/digits-tf:predict', { rows: [] }),
      400,
      'INPUT_INVALID',
    );
    const narrow = await call(t, 'POST', '/v1/models/digits-tf:predict', { instances: [[1, 2]] });
    expectRefusal(narrow, 400, 'INPUT_INVALID');
    expect(narrow.body.message).toMatch(/row 0 has 2 values/);
  });
});

describe.each(targets)('generic JSON contract: $name', (t) => {
  it('answers a label and probabilities per row', async () => {
    const res = await call(t, 'POST', '/generic/digits-generic', { features: rows });
    expect(res.body).toEqual({
      predictions: expected.labels.map((label, i) => ({
        label,
        probabilities: expected.probabilities[i],
      })),
    });
  });

  it('refuses a body without features and invalid JSON', async () => {
    expectRefusal(await call(t, 'POST', '/generic/digits-generic', [1, 2]), 400, 'INPUT_INVALID');
    expectRefusal(
      await call(t, 'POST', '/generic/digits-generic', '{"features": ['),
      400,
      '(BODY_INVALID_JSON|JSON_INVALID)',
    );
  });
});

describe('the gateway refuses the routes of another protocol', () => {
  const gw = targets[1]!;
  it.each([
    ['/v1/models/digits:predict', 'kserve-v2', 'POST /v2/models/digits/infer'],
    ['/generic/digits', 'kserve-v2', 'POST /v2/models/digits/infer'],
    ['/v2/models/digits-tf/infer', 'tf-serving', 'POST /v1/models/digits-tf:predict'],
    ['/v2/models/digits-generic/infer', 'generic-json', 'POST /generic/digits-generic'],
  ])('POST %s names the model protocol %s and the route %s', async (path, protocol, route) => {
    const res = await call(gw, 'POST', path, { instances: rows, features: rows });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'GATEWAY_PROTOCOL_MISMATCH' });
    expect(res.body.message).toContain(protocol);
    expect(res.body.message).toContain(route);
  });

  it('refuses KServe metadata for a TF Serving model', async () => {
    const res = await call(gw, 'GET', '/v2/models/digits-tf');
    expect(res.body).toMatchObject({ code: 'GATEWAY_PROTOCOL_MISMATCH' });
  });

  it('answers model metadata only to a valid key', async () => {
    const res = await fetch(`${gatewayUrl}/v2/models/digits`);
    expect(res.status).toBe(401);
  });
});
