import { describe, expect, it } from 'vitest';
import { servingPlan } from './serving-plan.js';
import type { ModelVersion } from './types.js';

const version = (over: Partial<ModelVersion>): ModelVersion => ({
  id: 'mv_1',
  modelId: 'mdl_1',
  version: '3',
  manifestDigest: 'f'.repeat(64),
  files: [],
  location: null,
  upstream: null,
  signature: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'a',
  ...over,
});
const file = (path: string, digest = 'a'.repeat(64)) => ({ path, digest, size: 1 });

describe('servingPlan', () => {
  it('loads the single .onnx file of a folder with the digest the registry recorded', () => {
    expect(
      servingPlan(
        'm',
        version({
          location: '/srv/m3',
          files: [file('README.md'), file('model.onnx', 'b'.repeat(64))],
        }),
      ),
    ).toEqual({ kind: 'onnx', file: '/srv/m3/model.onnx', digest: 'b'.repeat(64) });
  });

  it('loads a version registered as one file', () => {
    expect(servingPlan('m', version({ location: '/srv/m3.onnx', files: [file('.')] }))).toEqual({
      kind: 'onnx',
      file: '/srv/m3.onnx',
      digest: 'a'.repeat(64),
    });
  });

  it('refuses artifacts with no or several .onnx files, naming them', () => {
    expect(() =>
      servingPlan('m', version({ location: '/srv', files: [file('a.onnx'), file('b.onnx')] })),
    ).toThrow(/m@3: its artifacts hold 2 \.onnx files/);
    expect(() => servingPlan('m', version({ location: '/srv', files: [file('w.bin')] }))).toThrow(
      expect.objectContaining({ code: 'REGISTRY_VERSION_UNSERVABLE' }),
    );
  });

  it('forwards to an http(s) upstream URL and refuses anything else', () => {
    expect(servingPlan('m', version({ upstream: 'https://models.example/m3' }))).toEqual({
      kind: 'upstream',
      url: 'https://models.example/m3',
    });
    expect(() => servingPlan('m', version({ upstream: 'm-v3' }))).toThrow(
      /upstream "m-v3" is not an http\(s\) URL/,
    );
    expect(() => servingPlan('m', version({}))).toThrow(/neither artifacts on this machine/);
  });
});
