import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../core/index.js';
import { loadOnnxModel, startModelServer, type ModelServer } from './index.js';

const BREAST = 'models/breast-cancer/model.onnx';
const DIGITS = 'models/digits/model.onnx';
const LIMIT = 64 * 1024;

function holdoutRows(id: string, n: number): number[][] {
  const lines = readFileSync(`data/${id}/holdout.csv`, 'utf8')
    .trim()
    .split('\n')
    .slice(1, n + 1);
  return lines.map((l) => l.split(',').slice(0, -1).map(Number));
}

let server: ModelServer;
let expected: { probabilities: number[][]; labels: number[] };
const digitRows = holdoutRows('digits', 3);

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

function expectError(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
  message?: RegExp,
) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ code, statusCode: status });
  expect(typeof res.body.error).toBe('string');
  if (message) expect(res.body.message).toMatch(message);
}

beforeAll(async () => {
  server = await startModelServer({
    models: [
      { id: 'breast-cancer', version: '1', path: BREAST, digest: sha256Hex(readFileSync(BREAST)) },
      { id: 'digits', version: '1', path: DIGITS },
      { id: 'digits', version: '2', path: DIGITS },
    ],
    maxBodyBytes: LIMIT,
    bodyTimeoutMs: 500,
  });
  const model = await loadOnnxModel(DIGITS);
  expected = await model.infer(digitRows);
  await model.close();
});
afterAll(async () => {
  await server.close();
});

describe('model server: KServe V2', () => {
  it('answers ready on the health route and describes the server', async () => {
    expect(await call('GET', '/v2/health/ready')).toMatchObject({
      status: 200,
      body: { ready: true },
    });
    expect(await call('GET', '/v2/health/live')).toMatchObject({
      status: 200,
      body: { live: true },
    });
    expect((await call('GET', '/v2')).body).toMatchObject({ name: 'aisoc-model-server' });
  });

  it('describes a model with its versions, input and outputs', async () => {
    const res = await call('GET', '/v2/models/digits');
    expect(res.body).toEqual({
      name: 'digits',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 10] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    });
    expect((await call('GET', '/v2/models/digits/versions/2/ready')).body).toEqual({
      name: 'digits',
      ready: true,
    });
  });

  it('runs inference on flat and nested data and echoes the request id', async () => {
    for (const data of [digitRows.flat(), digitRows]) {
      const res = await call('POST', '/v2/models/digits/infer', {
        id: 'req-1',
        inputs: [{ name: 'input', shape: [3, 64], datatype: 'FP32', data }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        model_name: 'digits',
        model_version: '2',
        id: 'req-1',
        outputs: [
          {
            name: 'probabilities',
            datatype: 'FP32',
            shape: [3, 10],
            data: expected.probabilities.flat(),
          },
          { name: 'label', datatype: 'INT64', shape: [3], data: expected.labels },
        ],
      });
    }
  });

  it('returns only the requested outputs and serves a pinned version', async () => {
    const res = await call('POST', '/v2/models/digits/versions/1/infer', {
      inputs: [{ name: 'input', shape: [3, 64], datatype: 'FP32', data: digitRows.flat() }],
      outputs: [{ name: 'label' }],
    });
    expect(res.body).toEqual({
      model_name: 'digits',
      model_version: '1',
      outputs: [{ name: 'label', datatype: 'INT64', shape: [3], data: expected.labels }],
    });
  });

  it('refuses tensors whose shape, name, datatype or data do not fit the model', async () => {
    const infer = (input: Record<string, unknown>) =>
      call('POST', '/v2/models/digits/infer', {
        inputs: [
          { name: 'input', shape: [3, 64], datatype: 'FP32', data: digitRows.flat(), ...input },
        ],
      });
    expectError(await infer({ shape: [3, 63] }), 400, 'SERVE_INPUT_INVALID', /expects 64 features/);
    expectError(
      await infer({ shape: [4, 64] }),
      400,
      'SERVE_INPUT_INVALID',
      /holds 256 values but data has 192/,
    );
    expectError(await infer({ shape: [3, -64] }), 400, 'SERVE_INPUT_INVALID', /non-negative/);
    expectError(await infer({ name: 'x' }), 400, 'SERVE_INPUT_INVALID', /model's input is "input"/);
    expectError(await infer({ datatype: 'BYTES' }), 400, 'SERVE_INPUT_INVALID', /datatype/);
    expectError(await infer({ data: 'abc' }), 400, 'SERVE_INPUT_INVALID', /data must be an array/);
    const withText = digitRows.flat() as unknown[];
    withText[70] = 'x';
    expectError(await infer({ data: withText }), 400, 'SERVE_INPUT_INVALID', /row 1, column 6/);
    expectError(
      await call('POST', '/v2/models/digits/infer', { inputs: [] }),
      400,
      'SERVE_INPUT_INVALID',
      /exactly one tensor/,
    );
  });

  it('refuses JSON numbers that overflow to Infinity', async () => {
    const data = digitRows.flat().map(String);
    data[5] = '1e999';
    const body = `{"inputs":[{"name":"input","shape":[3,64],"datatype":"FP32","data":[${data.join(',')}]}]}`;
    expectError(
      await call('POST', '/v2/models/digits/infer', body),
      400,
      'SERVE_INPUT_INVALID',
      /row 0, column 5 is Infinity/,
    );
  });
});

describe('model server: TF Serving and generic JSON', () => {
  it('predicts in row format, named row format and columnar format', async () => {
    const rows = await call('POST', '/v1/models/digits:predict', { instances: digitRows });
    expect(rows.body).toEqual({ predictions: expected.probabilities });
    const named = await call('POST', '/v1/models/digits/versions/1:predict', {
      instances: digitRows.map((input) => ({ input })),
    });
    expect(named.body).toEqual({ predictions: expected.probabilities });
    const columnar = await call('POST', '/v1/models/digits:predict', {
      inputs: { input: digitRows },
    });
    expect(columnar.body).toEqual({ outputs: expected.probabilities });
  });

  it('reports model status and refuses bodies without instances', async () => {
    expect((await call('GET', '/v1/models/digits')).body).toEqual({
      model_version_status: ['1', '2'].map((version) => ({
        version,
        state: 'AVAILABLE',
        status: { error_code: 'OK', error_message: '' },
      })),
    });
    expectError(
      await call('POST', '/v1/models/digits:predict', { rows: [] }),
      400,
      'SERVE_INPUT_INVALID',
      /instances/,
    );
    expectError(
      await call('POST', '/v1/models/digits:predict', { instances: [] }),
      400,
      'SERVE_INPUT_INVALID',
      /empty/,
    );
  });

  it('answers the generic route with a label and probabilities per row', async () => {
    const res = await call('POST', '/generic/digits', { features: digitRows });
    expect(res.body).toEqual({
      predictions: expected.labels.map((label, i) => ({
        label,
        probabilities: expected.probabilities[i],
      })),
    });
    const breast = await call('POST', '/generic/breast-cancer', {
      features: holdoutRows('breast-cancer', 1)[0],
    });
    expect((breast.body.predictions as unknown[]).length).toBe(1);
    expectError(
      await call('POST', '/generic/digits', { features: [[1, 2]] }),
      400,
      'SERVE_INPUT_INVALID',
      /row 0 has 2 values/,
    );
    expectError(
      await call('POST', '/generic/digits', [1, 2]),
      400,
      'SERVE_INPUT_INVALID',
      /features/,
    );
  });
});

describe('model server: hostile requests', () => {
  it('answers 404 for an unknown model, version or route', async () => {
    expectError(
      await call('POST', '/v2/models/nope/infer', {}),
      404,
      'SERVE_MODEL_NOT_FOUND',
      /"nope"/,
    );
    expectError(
      await call('GET', '/v2/models/digits/versions/9'),
      404,
      'SERVE_MODEL_NOT_FOUND',
      /no version "9"/,
    );
    expectError(await call('POST', '/v1/models/nope:predict', {}), 404, 'SERVE_MODEL_NOT_FOUND');
    expectError(await call('GET', '/admin'), 404, 'SERVE_ROUTE_NOT_FOUND');
    expectError(
      await call('GET', '/v2/models/%E0%A4%A'),
      404,
      'SERVE_ROUTE_NOT_FOUND',
      /percent-encoding/,
    );
  });

  it('answers 405 with an Allow header for a wrong method', async () => {
    const res = await call('GET', '/v2/models/digits/infer');
    expectError(res, 405, 'SERVE_METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('answers 400 for malformed or empty JSON and 415 for a non-JSON content type', async () => {
    expectError(
      await call('POST', '/generic/digits', '{"features": [[1,'),
      400,
      'SERVE_JSON_INVALID',
      /not valid JSON/,
    );
    expectError(await call('POST', '/generic/digits', ''), 400, 'SERVE_JSON_INVALID', /empty/);
    expectError(
      await call('POST', '/generic/digits', 'features=1', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'SERVE_CONTENT_TYPE_UNSUPPORTED',
    );
  });

  it('answers 413 for a body over the limit, declared or streamed, and keeps serving', async () => {
    const big = JSON.stringify({ features: [new Array(LIMIT).fill(1)] });
    expectError(
      await call('POST', '/generic/digits', big),
      413,
      'SERVE_BODY_TOO_LARGE',
      /65536-byte limit/,
    );
    const streamed = await new Promise<{ status: number; body: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = request(`${server.url}/generic/digits`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.write(big.slice(0, LIMIT / 2));
        req.write(big.slice(LIMIT / 2));
        req.end();
      },
    );
    expectError(streamed, 413, 'SERVE_BODY_TOO_LARGE');
    expect((await call('GET', '/v2/health/ready')).status).toBe(200);
  });

  it('answers 408 when the body arrives too slowly', async () => {
    const res = await new Promise<{ status: number; body: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = request(`${server.url}/generic/digits`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '100' },
        });
        req.on('response', (r) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => {
            req.destroy();
            resolve({ status: r.statusCode ?? 0, body: JSON.parse(text) });
          });
        });
        req.on('error', reject);
        req.write('{"features": ');
      },
    );
    expectError(res, 408, 'SERVE_BODY_TIMEOUT', /500 ms/);
  });
});

describe('startModelServer options', () => {
  it('refuses to start when a model file does not match its digest', async () => {
    const start = startModelServer({
      models: [{ id: 'digits', version: '1', path: DIGITS, digest: '0'.repeat(64) }],
    });
    await expect(start).rejects.toMatchObject({ code: 'SERVE_DIGEST_MISMATCH' });
  });

  it('refuses duplicate entries, unsafe ids and an empty model list', async () => {
    const entry = { id: 'digits', version: '1', path: DIGITS };
    await expect(startModelServer({ models: [entry, entry] })).rejects.toMatchObject({
      code: 'SERVE_OPTIONS_INVALID',
    });
    await expect(startModelServer({ models: [{ ...entry, id: '../x' }] })).rejects.toMatchObject({
      code: 'SERVE_OPTIONS_INVALID',
    });
    await expect(startModelServer({ models: [] })).rejects.toMatchObject({
      code: 'SERVE_OPTIONS_INVALID',
    });
  });
});
