import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnxModel, TENSOR_FLOAT } from '../../scripts/demo-models/onnx-model.js';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';

/** A two-feature linear model whose weight matrix is `w`. */
function model(w: number[]): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'test',
    producerVersion: '1',
    modelVersion: 1,
    docString: '',
    graphName: 'g',
    nodes: [{ opType: 'MatMul', name: 'mm', inputs: ['input', 'w'], outputs: ['logits'] }],
    initializers: [{ name: 'w', dims: [2, 2], floats: Float32Array.from(w) }],
    inputs: [{ name: 'input', elemType: TENSOR_FLOAT, shape: ['N', 2] }],
    outputs: [{ name: 'logits', elemType: TENSOR_FLOAT, shape: ['N', 2] }],
    metadata: {},
  });
}

// Each test spawns several CLI processes (2-8 s each on a loaded 2-core machine).
describe('aisoc registry diff (real CLI against a running aisoc)', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  beforeAll(async () => {
    t = await startTestAisoc();
    cli = (...args) =>
      runCli(['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile, ...args]);
    expect(
      (await t.admin('/api/v1/registry/models', { body: { name: 'fraud', owner: 'ml' } })).status,
    ).toBe(201);
    for (const [v, w] of [
      ['1', [1, 0, 0, 1]],
      ['2', [1, 0, 0.25, 1]],
    ] as const) {
      const dir = join(t.dir, `fraud-${v}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.onnx'), model([...w]));
      const r = await t.admin('/api/v1/registry/models/fraud/versions', {
        body: { version: v, location: dir },
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
    }
    const remote = await t.admin('/api/v1/registry/models/fraud/versions', {
      body: { version: '3', upstream: 'http://127.0.0.1:9/v2', files: [] },
    });
    expect(remote.status, JSON.stringify(remote.json)).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  it('shows which tensor changed and by how much', async () => {
    const r = await cli('registry', 'diff', 'fraud', '1', '2', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.files).toEqual([expect.objectContaining({ path: 'model.onnx', change: 'changed' })]);
    expect(d.models[0].tensors[0]).toMatchObject({
      name: 'w',
      change: 'changed',
      changedElements: 1,
      maxAbsDiff: 0.25,
    });
    const table = await cli('registry', 'diff', 'fraud', '1', '2');
    expect(table.stdout).toMatch(/tensors: 1 changed, 0 unchanged/);
    expect(table.stdout).toMatch(/^w\s+changed\s+\[2x2\] F32/m);
  });

  it('says why a remote-only version cannot be compared, and names a missing version', async () => {
    const remote = await cli('registry', 'diff', 'fraud', '1', '3');
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('served remotely by http://127.0.0.1:9/v2');
    const missing = await cli('registry', 'diff', 'fraud', '1', '9');
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('fraud has no version "9"');
  });
});
