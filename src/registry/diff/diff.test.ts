import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeOnnxModel,
  TENSOR_FLOAT,
  type OnnxModelSpec,
} from '../../../scripts/demo-models/onnx-model.js';
import { hashModel } from '../index.js';
import { diffModelFiles, diffVersionArtifacts } from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'aisoc-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spec(weights: number[], extraRelu = false): OnnxModelSpec {
  return {
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'test',
    producerVersion: '1',
    modelVersion: 1,
    docString: '',
    graphName: 'g',
    nodes: [
      { opType: 'MatMul', name: 'mm', inputs: ['input', 'w'], outputs: ['z'] },
      { opType: 'Add', name: 'add', inputs: ['z', 'b'], outputs: [extraRelu ? 'y' : 'logits'] },
      ...(extraRelu
        ? [{ opType: 'Relu', name: 'backdoor_gate', inputs: ['y'], outputs: ['logits'] }]
        : []),
    ],
    initializers: [
      { name: 'w', dims: [2, 2], floats: Float32Array.from(weights) },
      { name: 'b', dims: [2], floats: Float32Array.from([0.5, -0.5]) },
    ],
    inputs: [{ name: 'input', elemType: TENSOR_FLOAT, shape: ['N', 2] }],
    outputs: [{ name: 'logits', elemType: TENSOR_FLOAT, shape: ['N', 2] }],
    metadata: {},
  };
}

function writeVersion(name: string, bytes: Uint8Array, extra?: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  for (const [file, text] of Object.entries(extra ?? {})) writeFileSync(join(dir, file), text);
  return dir;
}

/** A safetensors file: 8-byte header length, JSON header, then the data. */
function safetensors(tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>) {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.data.length],
    };
    offset += t.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...Object.values(tensors).map((t) => t.data)]);
}

const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);

describe('model diff', () => {
  it('names the changed tensor with the norms of the change, and the added operator', () => {
    const a = writeVersion('v1', encodeOnnxModel(spec([1, 2, 3, 4])));
    const b = writeVersion('v2', encodeOnnxModel(spec([1, 2, 3, 7], true)));
    const d = diffModelFiles(join(a, 'model.onnx'), join(b, 'model.onnx'), 'onnx');
    const w = d.tensors.find((t) => t.name === 'w')!;
    expect(w).toMatchObject({ change: 'changed', changedElements: 1, elements: 4, maxAbsDiff: 3 });
    expect(w.l2Diff).toBeCloseTo(3, 6);
    expect(w.relativeChange).toBeCloseTo(3 / Math.sqrt(30), 6);
    expect(d.tensors.find((t) => t.name === 'b')?.change).toBe('unchanged');
    expect(d.counts).toMatchObject({ changed: 1, unchanged: 1 });
    expect(d.graph).toEqual({
      addedNodes: ['backdoor_gate'],
      removedNodes: [],
      rewiredNodes: ['add'],
      operatorCounts: { Relu: [0, 1] },
    });
  });

  it('compares two registry versions by files first, then the changed model file', async () => {
    const a = writeVersion('r1', encodeOnnxModel(spec([1, 2, 3, 4])), { 'labels.json': '[0,1]' });
    const b = writeVersion('r2', encodeOnnxModel(spec([1, 2, 3, 4.5])), { 'README.md': 'v2' });
    const d = diffVersionArtifacts(
      { location: a, files: (await hashModel(a)).files },
      { location: b, files: (await hashModel(b)).files },
    );
    expect(Object.fromEntries(d.files.map((f) => [f.path, f.change]))).toEqual({
      'model.onnx': 'changed',
      'README.md': 'added',
      'labels.json': 'removed',
    });
    expect(d.models).toHaveLength(1);
    expect(d.models[0]!.tensors.find((t) => t.name === 'w')?.maxAbsDiff).toBeCloseTo(0.5, 6);
  });

  it('finds the demo model identical to a copy of itself', async () => {
    const a = join(tmp, 'demo-a');
    const b = join(tmp, 'demo-b');
    for (const d of [a, b]) {
      mkdirSync(d);
      copyFileSync('models/breast-cancer/model.onnx', join(d, 'model.onnx'));
    }
    const d = diffModelFiles(join(a, 'model.onnx'), join(b, 'model.onnx'), 'onnx');
    expect(d.tensors.length).toBeGreaterThan(2);
    expect(d.tensors.every((t) => t.change === 'unchanged')).toBe(true);
    expect(d.graph?.addedNodes).toEqual([]);
  });

  it('diffs safetensors, with F16 and BF16 values, reshapes, additions and removals', () => {
    const half = Buffer.from([0x00, 0x3c, 0x00, 0x40]); // F16 1, 2
    const halfAfter = Buffer.from([0x00, 0x3c, 0x00, 0x42]); // F16 1, 3
    const bf = Buffer.from([0x80, 0x3f]); // BF16 1
    const bfAfter = Buffer.from([0x00, 0x40]); // BF16 2
    const before = join(tmp, 'a.safetensors');
    const after = join(tmp, 'b.safetensors');
    writeFileSync(
      before,
      safetensors({
        h: { dtype: 'F16', shape: [2], data: half },
        bf: { dtype: 'BF16', shape: [1], data: bf },
        emb: { dtype: 'F32', shape: [2, 2], data: f32([1, 1, 1, 1]) },
        gone: { dtype: 'F32', shape: [1], data: f32([9]) },
      }),
    );
    writeFileSync(
      after,
      safetensors({
        h: { dtype: 'F16', shape: [2], data: halfAfter },
        bf: { dtype: 'BF16', shape: [1], data: bfAfter },
        emb: { dtype: 'F32', shape: [4], data: f32([1, 1, 1, 1]) },
        lora: { dtype: 'F32', shape: [1], data: f32([0.1]) },
      }),
    );
    const d = diffModelFiles(before, after, 'safetensors');
    const by = Object.fromEntries(d.tensors.map((t) => [t.name, t]));
    expect(by.h).toMatchObject({ change: 'changed', maxAbsDiff: 1, changedElements: 1 });
    expect(by.bf).toMatchObject({ change: 'changed', maxAbsDiff: 1 });
    expect(by.emb).toMatchObject({ change: 'reshaped', previous: { shape: [2, 2] } });
    expect(by.lora?.change).toBe('added');
    expect(by.gone?.change).toBe('removed');
    expect(d.graph).toBeUndefined();
  });

  it('refuses a file that is not safetensors with a coded error naming it', () => {
    const bad = join(tmp, 'bad.safetensors');
    writeFileSync(bad, 'not a model at all');
    expect(() => diffModelFiles(bad, bad, 'safetensors')).toThrow(
      expect.objectContaining({
        code: 'REGISTRY_INPUT_INVALID',
        message: expect.stringContaining('bad.safetensors'),
      }),
    );
  });
});
