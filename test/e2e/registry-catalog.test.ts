import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from '../../src/app/index.js';
import { signModel } from '../../src/registry/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { startTestUpstream } from '../support/upstream.js';

/** A KServe V2 model server whose answers move by `bias` (set it to play a swapped model). */
async function startSwappableUpstream() {
  const state = { bias: 0, requests: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      state.requests++;
      const data = (JSON.parse(body) as { inputs: { data: number[] }[] }).inputs[0]!.data;
      const p = 1 / (1 + Math.exp(-(data.reduce((a, b) => a + b, 0) + state.bias)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model_name: 'credit',
          outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [1 - p, p] }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('serving registry versions absent from aisoc.yaml', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let configured: Awaited<ReturnType<typeof startTestUpstream>>;
  let remote: Awaited<ReturnType<typeof startSwappableUpstream>>;
  let secret: string;
  let row: number[][];
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  /** Registers model@version (artifacts in a new folder, signed by the trusted key) and approves it. */
  async function release(
    model: string,
    version: string,
    fill: (root: string) => void,
    extra: Record<string, unknown> = {},
    location = true,
  ) {
    const root = join(t.dir, `${model}-${version}`);
    mkdirSync(root);
    fill(root);
    const { bundle, manifest } = await signModel(root, {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    const reg = await t.admin(`/api/v1/registry/models/${model}/versions`, {
      body: {
        version,
        ...(location ? { location: root } : { files: manifest.files }),
        signature: JSON.stringify(bundle),
        ...extra,
      },
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const approved = await t.admin(`/api/v1/registry/models/${model}/versions/${version}/approve`, {
      body: { reason: 'release review' },
    });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    return root;
  }

  const copyDemoModel = (root: string) =>
    copyFileSync(
      join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
      join(root, 'model.onnx'),
    );

  const inferBreastCancer = async () => {
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(row),
    });
    return { status: res.status, json: (await res.json()) as { model_version?: string } };
  };

  beforeAll(async () => {
    configured = await startTestUpstream();
    remote = await startSwappableUpstream();
    const keyDir = mkdtempSync(join(tmpdir(), 'aisoc-catalog-keys-'));
    writeFileSync(join(keyDir, 'release.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    t = await startTestAisoc({
      registry: {
        integrityIntervalMs: 1000,
        trustedKeys: [join(keyDir, 'release.pub')],
        atlasFile: join(import.meta.dirname, '../../data/atlas/ATLAS.yaml'),
      },
      models: [
        ...demoModels(),
        {
          id: 'credit',
          protocol: 'kserve-v2',
          versions: [{ version: '1', upstream: configured.url }],
        },
      ],
    });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
    row = await demoRows('breast-cancer', 'holdout', 1);
    for (const name of ['breast-cancer', 'credit'])
      expect(
        (await t.admin('/api/v1/registry/models', { body: { name, owner: 'ml' } })).status,
      ).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await t?.aisoc.close();
    await configured?.close();
    await remote?.close();
  });

  it('loads, verifies and swaps in an ONNX version on rollback while requests keep flowing', async () => {
    await release('breast-cancer', 'next', copyDemoModel);
    expect((await inferBreastCancer()).json.model_version).toBe('1');

    const seen: { status: number; version: string | undefined }[] = [];
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const r = await inferBreastCancer();
        seen.push({ status: r.status, version: r.json.model_version });
      }
    };
    const loops = [loop(), loop()];
    const rolled = await t.admin('/api/v1/registry/models/breast-cancer/rollback', {
      body: { to: 'next', reason: 'incident 12' },
    });
    expect(rolled.status, JSON.stringify(rolled.json)).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!seen.some((s) => s.version === 'next') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const afterPin = seen.length;
    while (seen.length < afterPin + 10 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(loops);

    expect(seen.length).toBeGreaterThanOrEqual(afterPin + 10);
    expect(seen.every((s) => s.status === 200)).toBe(true);
    expect(seen.slice(afterPin).every((s) => s.version === 'next')).toBe(true);
    expect((await inferBreastCancer()).json.model_version).toBe('next');
    const history = await t.admin('/api/v1/registry/deployments/breast-cancer');
    expect(history.json.deployments.at(-1).reason).toBe('rollback: incident 12');
  }, 60_000);

  it('refuses a version whose file changed after registration, naming it and the reason', async () => {
    const root = await release('breast-cancer', 'tampered', copyDemoModel);
    appendFileSync(join(root, 'model.onnx'), Buffer.from([0]));
    const refused = await t.admin('/api/v1/registry/models/breast-cancer/rollback', {
      body: { to: 'tampered', reason: 'test' },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe('REGISTRY_ARTIFACT_MISMATCH');
    expect(refused.json.message).toContain('tampered');
    expect(refused.json.message).toContain('model.onnx');
    // A pin applied directly (as a playbook does) is refused the same way.
    const pinned = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'pin_version', model: 'breast-cancer', version: 'tampered' },
        reason: 'test',
      },
    });
    expect(pinned.status).toBe(422);
    expect(pinned.json.code).toBe('REGISTRY_ARTIFACT_MISMATCH');
    expect((await inferBreastCancer()).json.model_version).toBe('next');
    await t.aisoc.ledger.flush();
    const audit = JSON.stringify((await t.admin('/api/v1/ledger/audit/entries?limit=1000')).json);
    expect(audit).toContain('registry.model_version.load_refused');
    expect(audit).toMatch(/load_refused[^}]*"version":"tampered"/);
  }, 60_000);

  it('refuses to pin quarantined or unapproved registry versions, saying why', async () => {
    await t.admin('/api/v1/registry/models/breast-cancer/versions/tampered/quarantine', {
      body: { reason: 'tampered on disk' },
    });
    const quarantined = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'pin_version', model: 'breast-cancer', version: 'tampered' },
        reason: 'test',
      },
    });
    expect(quarantined.json.code).toBe('ACTION_TARGET_UNKNOWN');
    expect(quarantined.json.message).toContain('quarantined');

    const root = join(t.dir, 'breast-cancer-draft');
    mkdirSync(root);
    copyDemoModel(root);
    await t.admin('/api/v1/registry/models/breast-cancer/versions', {
      body: { version: 'draft', location: root, signature: undefined },
    });
    const draft = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'pin_version', model: 'breast-cancer', version: 'draft' },
        reason: 'test',
      },
    });
    expect(draft.json.code).toBe('ACTION_TARGET_UNKNOWN');
    expect(draft.json.message).toContain('not approved');
    const unknown = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'pin_version', model: 'breast-cancer', version: 'nowhere' },
        reason: 'test',
      },
    });
    expect(unknown.json.message).toContain('has no version "nowhere"');
  });

  it('forwards to the upstream URL registered for a remote version after a rollback', async () => {
    const bad = await t.admin('/api/v1/registry/models/credit/versions', {
      body: { version: 'x', upstream: 'credit-v9', files: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('upstream');

    await release(
      'credit',
      '9',
      (root) => writeFileSync(join(root, 'model.onnx'), 'weights 9'),
      { upstream: remote.url },
      false,
    );
    const rolled = await t.admin('/api/v1/registry/models/credit/rollback', {
      body: { to: '9', reason: 'move to 9' },
    });
    expect(rolled.status, JSON.stringify(rolled.json)).toBe(200);
    const before = configured.requests.length;
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0, 0] }],
      }),
    });
    expect(res.status).toBe(200);
    expect(remote.state.requests).toBe(1);
    expect(configured.requests.length).toBe(before);
  });

  it('probes fingerprints through the gateway as the system principal and names the probes a swapped upstream fails', async () => {
    const probe = { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.5] }] };
    const recorded = await t.admin('/api/v1/registry/models/credit/versions/9/fingerprint', {
      body: { probes: [{ id: 'p-swap', input: probe }], tolerance: 0.01 },
    });
    expect(recorded.status, JSON.stringify(recorded.json)).toBe(201);
    expect(recorded.json.probes[0].output.outputs[0].data[1]).toBeCloseTo(
      1 / (1 + Math.exp(-1)),
      5,
    );

    // A version approved but never pinned is made servable for its probes, on its version route.
    await release(
      'credit',
      '10',
      (root) => writeFileSync(join(root, 'model.onnx'), 'weights 10'),
      { upstream: configured.url },
      false,
    );
    const other = await t.admin('/api/v1/registry/models/credit/versions/10/fingerprint', {
      body: { probes: [{ id: 'p10', input: probe }], tolerance: 0.01 },
    });
    expect(other.status, JSON.stringify(other.json)).toBe(201);
    expect(configured.requests.at(-1)!.url).toBe('/v2/models/credit/versions/10/infer');

    await t.aisoc.ledger.flush();
    const events = await t.admin('/api/v1/events?principal=aisoc:integrity&limit=1000');
    const probes = events.json.events as { modelVersion: string; principal: string }[];
    expect([...new Set(probes.map((e) => e.modelVersion))].sort()).toEqual(['10', '9']);
    expect(probes[0]).toMatchObject({ model: 'credit', principal: 'aisoc:integrity', status: 200 });

    const alerts: { title: string; kind: string; detector: string; principal: string | null }[] =
      [];
    const sub = await t.aisoc.bus.subscribe<(typeof alerts)[number]>('detect.alert.raised', (m) => {
      alerts.push(m.data);
    });
    remote.state.bias = 2; // the remote model was silently swapped
    const deadline = Date.now() + 10_000;
    while (!alerts.some((a) => a.title.includes('p-swap')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await sub.unsubscribe();
    expect(alerts.find((a) => a.title.includes('p-swap'))).toMatchObject({
      kind: 'integrity',
      detector: 'registry.fingerprint',
    });
    expect(alerts.some((a) => a.principal === 'aisoc:integrity')).toBe(false);
  }, 30_000);

  it('stops serving a quarantined version, lifts the pin naming it and says what serves now', async () => {
    expect((await inferBreastCancer()).json.model_version).toBe('next');
    const pins = (await t.admin('/api/v1/actions?active=true')).json.actions as {
      id: string;
      action: { kind: string; model?: string; version?: string };
    }[];
    const pinIds = pins
      .filter((a) => a.action.kind === 'pin_version' && a.action.version === 'next')
      .map((a) => a.id);
    expect(pinIds.length).toBeGreaterThan(0);
    const q = await t.admin('/api/v1/registry/models/breast-cancer/versions/next/quarantine', {
      body: { reason: 'suspected poisoning' },
    });
    expect(q.status).toBe(200);
    expect(q.json).toMatchObject({ state: 'quarantined', serving: '1' });
    expect([...(q.json.lifted as string[])].sort()).toEqual([...pinIds].sort());
    expect((await inferBreastCancer()).json.model_version).toBe('1');
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/versions/next/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(row),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_MODEL_UNKNOWN');
  });
});
