import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema, type Alert } from '../core/index.js';
import {
  createIntegrityMonitor,
  outputDistance,
  recordFingerprint,
  type Fingerprint,
} from './integrity-monitor.js';
import { hashModel } from './oms/model-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-integrity-'));
let server: Server;
let url = '';
// A real model server whose weight can be swapped underneath us, as a compromised host would.
let weight = 1;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { x } = JSON.parse(Buffer.concat(chunks).toString()) as { x: number[] };
      const score = 1 / (1 + Math.exp(-weight * x.reduce((a, b) => a + b, 0)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ scores: [1 - score, score], label: score > 0.5 ? 'yes' : 'no' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const invoke = async (_model: string, input: unknown) => {
  const res = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify(input) });
  return res.json() as Promise<unknown>;
};

describe('integrity monitor', () => {
  it('raises one critical alert naming the file when a served artifact changes on disk', async () => {
    const location = join(dir, 'model');
    mkdirSync(location);
    writeFileSync(join(location, 'model.onnx'), 'weights-v1');
    writeFileSync(join(location, 'labels.json'), '[]');
    const files = (await hashModel(location)).files;
    const alerts: Alert[] = [];
    const monitor = createIntegrityMonitor({
      artifacts: () => [{ model: 'fraud', version: '3', location, files }],
      fingerprints: () => [],
      invoke,
      onAlert: (a) => void alerts.push(a),
    });
    expect(await monitor.checkArtifacts()).toEqual([]);
    writeFileSync(join(location, 'model.onnx'), 'weights-swapped');
    await monitor.checkArtifacts();
    await monitor.checkArtifacts(); // the same change is not raised twice
    expect(alerts).toHaveLength(1);
    expect(AlertSchema.parse(alerts[0])).toMatchObject({
      kind: 'integrity',
      model: 'fraud',
      severity: 'critical',
    });
    expect(alerts[0]!.title).toContain('model.onnx (digest mismatch)');
    // Restored, then tampered the same way again: a new change, a new alert (found by a drill).
    writeFileSync(join(location, 'model.onnx'), 'weights-v1');
    expect(await monitor.checkArtifacts()).toEqual([]);
    writeFileSync(join(location, 'model.onnx'), 'weights-swapped');
    expect(await monitor.checkArtifacts()).toHaveLength(1);
    expect(alerts).toHaveLength(2);
  });

  it('replays fingerprint probes through a real HTTP upstream and names the probes beyond tolerance', async () => {
    weight = 1;
    const inputs = [
      { id: 'zero', input: { x: [0, 0] } },
      { id: 'small', input: { x: [0.01, 0] } },
      { id: 'mid', input: { x: [0.5, 0.5] } },
    ];
    const fingerprint: Fingerprint = await recordFingerprint(
      invoke,
      { model: 'churn', version: '7', tolerance: 0.05 },
      inputs,
    );
    const alerts: Alert[] = [];
    const monitor = createIntegrityMonitor({
      artifacts: () => [],
      fingerprints: () => [fingerprint],
      invoke,
      onAlert: (a) => void alerts.push(a),
    });
    expect(await monitor.checkFingerprints()).toEqual([]);
    weight = 1.5; // a silent model swap
    const [raised] = await monitor.checkFingerprints();
    expect(raised!.title).toContain('1/3 fingerprint probe(s) differently: mid');
    expect(raised!.title).not.toContain('zero');
    expect((raised!.evidence.probes as { probe: string }[]).map((p) => p.probe)).toEqual(['mid']);
    expect(await monitor.checkFingerprints()).toEqual([]); // the same swap is raised once
    weight = 1;
    expect(await monitor.checkFingerprints()).toEqual([]);
    weight = 1.5; // swapped again after a restore: raised again
    expect(await monitor.checkFingerprints()).toHaveLength(1);
    expect(alerts).toHaveLength(2);
  });

  it('reports a probe that fails outright', async () => {
    const fingerprint: Fingerprint = {
      model: 'm',
      version: '1',
      tolerance: 0,
      probes: [{ id: 'p1', input: {}, output: 1 }],
    };
    const monitor = createIntegrityMonitor({
      artifacts: () => [],
      fingerprints: () => [fingerprint],
      invoke: () => Promise.reject(new Error('connection refused')),
      onAlert: () => undefined,
    });
    const [a] = await monitor.checkFingerprints();
    expect(JSON.stringify(a!.evidence)).toContain('probe failed: connection refused');
  });

  it('measures output distance over nested JSON and treats shape changes as infinite', () => {
    expect(outputDistance({ a: [1, 2] }, { a: [1, 2.5] })).toBe(0.5);
    expect(outputDistance({ a: [1, 2] }, { a: [1] })).toBe(Infinity);
    expect(outputDistance({ l: 'yes' }, { l: 'no' })).toBe(Infinity);
    expect(outputDistance({ a: 1 }, { a: 1, b: 2 })).toBe(Infinity);
  });
});
