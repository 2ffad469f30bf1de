import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signModel } from '../../src/registry/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { startTestUpstream } from '../support/upstream.js';

// Issue 12 item 4: `lineage endpoint M --at T` agrees with the version the ledger shows
// answering at T, across deploys, a playbook-style pin, its lift, a rollback, a deploy held by
// a pin, and the lift that lets it serve.
describe('lineage follows what served, step by step', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const upstreams: Awaited<ReturnType<typeof startTestUpstream>>[] = [];
  let secret: string;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeAll(async () => {
    upstreams.push(await startTestUpstream(), await startTestUpstream());
    const keyFile = join(mkdtempSync(join(tmpdir(), 'aisoc-lineage-')), 'release.pub');
    writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    t = await startTestAisoc({
      registry: { trustedKeys: [keyFile] },
      models: [
        {
          id: 'credit',
          protocol: 'kserve-v2',
          criticality: 'high',
          owner: 'risk',
          activeVersion: '1',
          versions: [
            { version: '1', upstream: upstreams[0]!.url },
            { version: '2', upstream: upstreams[1]!.url },
          ],
        },
      ],
    });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
    await t.admin('/api/v1/registry/models', {
      body: { name: 'credit', owner: 'risk', criticality: 'high' },
    });
    for (const v of ['1', '2']) {
      const root = join(t.dir, `credit-${v}`);
      mkdirSync(root);
      writeFileSync(join(root, 'model.onnx'), `weights ${v}`);
      const { bundle, manifest } = await signModel(root, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      const reg = await t.admin('/api/v1/registry/models/credit/versions', {
        body: {
          version: v,
          upstream: upstreams[Number(v) - 1]!.url,
          files: manifest.files,
          signature: JSON.stringify(bundle),
        },
      });
      expect(reg.status).toBe(201);
      const ok = await t.admin(`/api/v1/registry/models/credit/versions/${v}/approve`, {
        body: { reason: 'release review' },
      });
      expect(ok.status).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.aisoc.close();
    for (const u of upstreams) await u.close();
  });

  // One request; returns the time and version of its ledger event.
  async function answered(): Promise<{ time: string; version: string | null }> {
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.1, 0.2] }],
      }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    await t.aisoc.ledger.flush();
    const { events } = (await t.admin('/api/v1/events?model=credit&limit=1000')).json as {
      events: { time: string; requestId: string; modelVersion: string | null }[];
    };
    const event = requestId ? events.find((e) => e.requestId === requestId) : events.at(-1);
    expect(event).toBeDefined();
    return { time: event!.time, version: event!.modelVersion };
  }
  const lineageAt = async (at: string) =>
    (await t.admin(`/api/v1/registry/lineage/endpoints/credit?at=${encodeURIComponent(at)}`))
      .json as { version: { version: string } | null; deployment: { reason: string } | null };
  const post = async (path: string, body: unknown) => {
    const res = await t.admin(path, { body });
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
    return res.json;
  };

  it('agrees with the ledger at every step', async () => {
    const seen: { step: string; time: string; version: string | null }[] = [];
    const step = async (name: string, expected: string) => {
      const a = await answered();
      expect(a.version, name).toBe(expected);
      seen.push({ step: name, ...a });
    };
    await post('/api/v1/registry/models/credit/versions/1/deploy', { reason: 'first release' });
    await step('deploy v1', '1');
    await post('/api/v1/registry/models/credit/versions/2/deploy', { reason: 'second release' });
    await step('deploy v2', '2');
    // What a playbook's contain step applies (same action service, reason naming the incident).
    const pin = await post('/api/v1/actions', {
      action: { kind: 'pin_version', model: 'credit', version: '1' },
      reason: 'pin to known-good for incident inc_timeline [run:r1/step:pin]',
    });
    await step('playbook pins v1', '1');
    await post(`/api/v1/actions/${pin.id}/lift`, {});
    await step('lift the pin', '2');
    const rolled = await post('/api/v1/registry/models/credit/rollback', {
      to: '1',
      reason: 'incident inc_timeline',
    });
    await step('rollback to v1', '1');
    const held = await post('/api/v1/registry/models/credit/versions/2/deploy', {
      reason: 'redeploy while pinned',
    });
    expect(held.heldBy).toBe(rolled.action.id);
    await step('deploy v2 held by the rollback pin', '1');
    await post(`/api/v1/actions/${rolled.action.id}/lift`, {});
    await step('lift the rollback pin', '2');

    for (const s of seen)
      expect((await lineageAt(s.time)).version?.version, s.step).toBe(s.version);
    // Each switch is recorded with its action and reason; no switch is recorded twice.
    const { deployments } = (await t.admin('/api/v1/registry/deployments/credit')).json as {
      deployments: { reason: string; actionId: string | null }[];
    };
    expect(deployments).toHaveLength(6);
    expect(deployments[2]!.reason).toContain('incident inc_timeline');
    expect(deployments[2]!.actionId).toBe(pin.id);
    expect(deployments[3]!.reason).toContain(`lifted pin_version credit@1 (${pin.id})`);
    expect(deployments[4]!.actionId).toBe(rolled.action.id);
    expect(deployments[5]!.reason).toContain(`lifted pin_version credit@1 (${rolled.action.id})`);
  });
});
