import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  buildPolicySnapshot,
  type AppliedAction,
  type InferenceEvent,
  type PolicySnapshot,
} from '../core/index.js';
import { startTestUpstream } from '../../test/support/upstream.js';
import {
  configuredVersions,
  createGateway,
  createKeyDirectory,
  createVersionCatalog,
  generateApiKey,
  type Gateway,
  type VersionCatalog,
} from './index.js';

describe('version catalogue', () => {
  it('holds versions by model, replaces and removes them', () => {
    const catalog = createVersionCatalog([
      { model: 'm', served: { version: '1', digest: null, upstream: 'http://a' } },
    ]);
    expect(catalog.get('m', '1')).toMatchObject({ upstream: 'http://a' });
    expect(catalog.get('m', '2')).toBeUndefined();
    expect(catalog.get('other', '1')).toBeUndefined();
    const previous = catalog.put('m', { version: '1', digest: null, upstream: 'http://b' });
    expect(previous).toMatchObject({ upstream: 'http://a' });
    expect(catalog.get('m', '1')).toMatchObject({ upstream: 'http://b' });
    expect(catalog.remove('m', '1')).toMatchObject({ upstream: 'http://b' });
    expect(catalog.get('m', '1')).toBeUndefined();
  });

  it('lists configured versions, with no session for an ONNX file not loaded', () => {
    const config = parseConfig({
      models: [
        {
          id: 'm',
          versions: [
            { version: '1', upstream: 'http://u', digest: 'a'.repeat(64) },
            { version: '2', onnx: '/nowhere/model.onnx' },
          ],
        },
      ],
    });
    const listed = configuredVersions(config.models, new Map());
    expect(listed).toEqual([
      { model: 'm', served: { version: '1', digest: 'a'.repeat(64), upstream: 'http://u' } },
      { model: 'm', served: { version: '2', digest: null, local: null } },
    ]);
  });
});

describe('gateway routing through a version catalogue', () => {
  let configured: Awaited<ReturnType<typeof startTestUpstream>>;
  let added: Awaited<ReturnType<typeof startTestUpstream>>;
  let gateway: Gateway;
  let url: string;
  let catalog: VersionCatalog;
  let snapshot: PolicySnapshot = buildPolicySnapshot(0, []);
  const events: InferenceEvent[] = [];
  const client = generateApiKey();
  const system = generateApiKey();

  beforeAll(async () => {
    configured = await startTestUpstream();
    added = await startTestUpstream();
    const config = parseConfig({
      gateway: { port: 0 },
      models: [{ id: 'm', versions: [{ version: '1', upstream: configured.url }] }],
    });
    catalog = createVersionCatalog(configuredVersions(config.models, new Map()));
    const keys = createKeyDirectory();
    const key = (id: string, extra = {}) => ({
      id,
      principal: id,
      models: null,
      ratePerSecond: null,
      burst: null,
      ...extra,
    });
    keys.replace([
      { hash: client.hash, key: key('client') },
      { hash: system.hash, key: key('aisoc:integrity', { system: true }) },
    ]);
    gateway = createGateway({
      config: config.gateway,
      models: config.models,
      keys,
      policy: () => snapshot,
      catalog,
      events: { record: (e) => void events.push(e) },
    });
    url = await gateway.listen();
  });
  afterAll(async () => {
    await gateway.close();
    await configured.close();
    await added.close();
  });

  const body = JSON.stringify({
    inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0, 1] }],
  });
  const post = (path: string, secret: string) =>
    fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body,
    });
  const contain = (...actions: AppliedAction['action'][]) =>
    (snapshot = buildPolicySnapshot(
      1,
      actions.map((action, i) => ({
        id: `act_${i}`,
        action,
        reason: 'test',
        actor: 'test',
        appliedAt: new Date().toISOString(),
        liftedAt: null,
        liftedBy: null,
      })),
    ));
  const pin = (version: string) => contain({ kind: 'pin_version', model: 'm', version });

  it('serves a version added at run time once it is in the catalogue, and not before', async () => {
    pin('9');
    const missing = await post('/v2/models/m/infer', client.secret);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain('no version "9"');
    catalog.put('m', { version: '9', digest: 'd'.repeat(64), upstream: added.url });
    expect((await post('/v2/models/m/infer', client.secret)).status).toBe(200);
    expect(added.requests).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ modelVersion: '9', artifactDigest: 'd'.repeat(64) });
  });

  it("lets only the system key's version-addressed requests past a pin", async () => {
    pin('9');
    const before = configured.requests.length;
    await post('/v2/models/m/versions/1/infer', client.secret);
    expect(configured.requests.length).toBe(before);
    expect((await post('/v2/models/m/versions/1/infer', system.secret)).status).toBe(200);
    expect(configured.requests.length).toBe(before + 1);
    expect(events.at(-1)).toMatchObject({ principal: 'aisoc:integrity', modelVersion: '1' });
    await post('/v2/models/m/infer', system.secret); // not version-addressed: the pin applies
    expect(events.at(-1)).toMatchObject({ modelVersion: '9' });
  });

  it('lets the system key past isolation and output hardening on a version route only', async () => {
    contain(
      { kind: 'isolate_model', model: 'm', fallback: { kind: 'static', status: 503, body: {} } },
      { kind: 'harden_output', model: 'm', mode: 'top1', decimals: 2 },
    );
    expect((await post('/v2/models/m/versions/1/infer', client.secret)).status).toBe(503);
    const probed = await post('/v2/models/m/versions/1/infer', system.secret);
    expect(probed.status).toBe(200);
    const answer = (await probed.json()) as { outputs: { data: number[] }[] };
    expect(answer.outputs[0]!.data[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 5); // not hardened
    expect((await post('/v2/models/m/infer', system.secret)).status).toBe(503);
  });
});
