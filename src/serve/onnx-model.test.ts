import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnxModel, TENSOR_FLOAT } from '../../scripts/demo-models/onnx-model.js';
import { sha256Hex } from '../core/index.js';
import { loadOnnxModel, type OnnxModel } from './index.js';

const BREAST = 'models/breast-cancer/model.onnx';
const DIGITS = 'models/digits/model.onnx';
const tmp = mkdtempSync(join(tmpdir(), 'aisoc-serve-'));

function readSplit(id: string, split: string): { rows: number[][]; labels: number[] } {
  const lines = readFileSync(`data/${id}/${split}.csv`, 'utf8').trim().split('\n').slice(1);
  const values = lines.map((l) => l.split(',').map(Number));
  return { rows: values.map((v) => v.slice(0, -1)), labels: values.map((v) => v[v.length - 1]!) };
}

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  if (message) expect((error as Error).message).toMatch(message);
}

describe('loadOnnxModel', () => {
  let breast: OnnxModel;
  beforeAll(async () => {
    breast = await loadOnnxModel(BREAST);
  });
  afterAll(async () => {
    await breast.close();
  });

  it('reports the file digest and the signature of the model', async () => {
    expect(breast.digest).toBe(sha256Hex(readFileSync(BREAST)));
    expect(breast).toMatchObject({ inputName: 'input', featureCount: 30, classCount: 2 });
    const digits = await loadOnnxModel(DIGITS);
    expect(digits).toMatchObject({ inputName: 'input', featureCount: 64, classCount: 10 });
    await digits.close();
  });

  it('reproduces the holdout accuracy recorded in model.json', async () => {
    for (const id of ['breast-cancer', 'digits']) {
      const card = JSON.parse(readFileSync(`models/${id}/model.json`, 'utf8'));
      const model = await loadOnnxModel(`models/${id}/model.onnx`, {
        expectedDigest: card.onnx.sha256,
      });
      const { rows, labels } = readSplit(id, 'holdout');
      const out = await model.infer(rows);
      const correct = out.labels.filter((l, i) => l === labels[i]).length;
      expect(correct / rows.length).toBeCloseTo(card.metrics.holdout.accuracy, 6);
      for (const p of out.probabilities) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      await model.close();
    }
  });

  it('accepts the expected digest with or without the sha256: prefix', async () => {
    const digest = sha256Hex(readFileSync(BREAST));
    for (const expectedDigest of [digest, `sha256:${digest.toUpperCase()}`]) {
      const model = await loadOnnxModel(BREAST, { expectedDigest });
      await model.close();
    }
  });

  it('refuses a file whose SHA-256 differs from the expected digest', async () => {
    const tampered = join(tmp, 'tampered.onnx');
    const bytes = readFileSync(BREAST);
    const expectedDigest = sha256Hex(bytes);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10]! + 1) % 256;
    writeFileSync(tampered, bytes);
    await expectCode(
      loadOnnxModel(tampered, { expectedDigest }),
      'SERVE_DIGEST_MISMATCH',
      /refusing/,
    );
  });

  it('fails cleanly on a missing file and on a file that is not ONNX', async () => {
    await expectCode(loadOnnxModel(join(tmp, 'absent.onnx')), 'SERVE_MODEL_UNREADABLE');
    const junk = join(tmp, 'junk.onnx');
    writeFileSync(junk, 'this is not a protobuf');
    await expectCode(loadOnnxModel(junk), 'SERVE_MODEL_INVALID');
  });

  it('refuses a model whose feature count is not fixed', async () => {
    const path = join(tmp, 'symbolic.onnx');
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opsetVersion: 17,
      producerName: 'test',
      producerVersion: '1',
      modelVersion: 1,
      docString: '',
      graphName: 'identity',
      initializers: [],
      nodes: [{ opType: 'Softmax', name: 's', inputs: ['input'], outputs: ['probabilities'] }],
      inputs: [{ name: 'input', elemType: TENSOR_FLOAT, shape: ['N', 'F'] }],
      outputs: [{ name: 'probabilities', elemType: TENSOR_FLOAT, shape: ['N', 'F'] }],
      metadata: {},
    });
    writeFileSync(path, bytes);
    await expectCode(loadOnnxModel(path), 'SERVE_MODEL_INVALID', /fixed F/);
  });

  it('names the row when a row has the wrong number of features', async () => {
    const rows = [new Array(30).fill(1), new Array(29).fill(1)];
    await expectCode(
      breast.infer(rows),
      'SERVE_INPUT_INVALID',
      /row 1 has 29 values; the model expects 30/,
    );
  });

  it('names the row and column of NaN, Infinity and non-numbers', async () => {
    const row = () => new Array(30).fill(1);
    const nan = [row(), row()];
    nan[1]![4] = Number.NaN;
    await expectCode(breast.infer(nan), 'SERVE_INPUT_INVALID', /row 1, column 4 is NaN/);
    const inf = [row()];
    inf[0]![0] = -Infinity;
    await expectCode(breast.infer(inf), 'SERVE_INPUT_INVALID', /row 0, column 0 is -Infinity/);
    const text = [row()] as unknown[][];
    text[0]![2] = '3';
    await expectCode(
      breast.infer(text as number[][]),
      'SERVE_INPUT_INVALID',
      /column 2 is the string "3"/,
    );
    const huge = [row()];
    huge[0]![1] = 1e300;
    await expectCode(breast.infer(huge), 'SERVE_INPUT_INVALID', /float32 range/);
  });

  it('refuses an empty batch and a batch that is not an array', async () => {
    await expectCode(breast.infer([]), 'SERVE_INPUT_INVALID', /no rows/);
    await expectCode(breast.infer('rows' as unknown as number[][]), 'SERVE_INPUT_INVALID');
    await expectCode(breast.infer([null] as unknown as number[][]), 'SERVE_INPUT_INVALID', /row 0/);
  });

  it('answers concurrent calls independently', async () => {
    const { rows } = readSplit('breast-cancer', 'reference');
    const single = await Promise.all(rows.slice(0, 20).map((r) => breast.infer([r])));
    const batch = await breast.infer(rows.slice(0, 20));
    single.forEach((s, i) => {
      expect(s.labels[0]).toBe(batch.labels[i]);
      s.probabilities[0]!.forEach((p, c) => expect(p).toBeCloseTo(batch.probabilities[i]![c]!, 6));
    });
  });

  it('refuses to infer after close', async () => {
    const model = await loadOnnxModel(BREAST);
    await model.close();
    await model.close();
    await expectCode(model.infer([new Array(30).fill(0)]), 'SERVE_MODEL_CLOSED');
  });
});
