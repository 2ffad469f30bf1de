import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signModel } from '../../src/registry/index.js';
import { demoModels } from '../../src/app/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { startTestUpstream } from '../support/upstream.js';
import { checkAuditLedger } from '../support/audit-entries.js';

describe('provenance end to end: register, approve, deploy, roll back under load', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let v1: Awaited<ReturnType<typeof startTestUpstream>>;
  let v2: Awaited<ReturnType<typeof startTestUpstream>>;
  let secret: string;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });

  beforeAll(async () => {
    v1 = await startTestUpstream();
    v2 = await startTestUpstream({ delayMs: 300 });
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const keyDir = mkdtempSync(join(tmpdir(), 'aisoc-e2e-keys-'));
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
          criticality: 'high',
          owner: 'risk',
          activeVersion: '2',
          versions: [
            { version: '1', upstream: v1.url },
            { version: '2', upstream: v2.url },
          ],
        },
      ],
    });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
    expect(
      (
        await t.admin('/api/v1/registry/models', {
          body: { name: 'credit', owner: 'risk', criticality: 'high' },
        })
      ).status,
    ).toBe(201);
    for (const v of ['1', '2']) {
      // The remote version's artifacts as released: signed, then registered by their digests.
      const root = join(t.dir, `credit-${v}`);
      mkdirSync(root);
      writeFileSync(join(root, 'model.onnx'), `weights ${v}`);
      const { bundle, manifest } = await signModel(root, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      const reg = await t.admin('/api/v1/registry/models/credit/versions', {
        body: {
          version: v,
          upstream: v === '1' ? v1.url : v2.url,
          files: manifest.files,
          signature: JSON.stringify(bundle),
        },
      });
      expect(reg.status).toBe(201);
      expect(
        (
          await t.admin(`/api/v1/registry/models/credit/versions/${v}/approve`, {
            body: { reason: 'release review' },
          })
        ).status,
      ).toBe(200);
    }
    expect(
      (
        await t.admin('/api/v1/registry/models/credit/versions/2/deploy', {
          body: { reason: 'release' },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t.aisoc.close();
    await v1.close();
    await v2.close();
  });

  const infer = () =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.1, 0.2] }],
      }),
    });

  it("gives playbooks the registry's last known-good version when an alert names none", async () => {
    const { createId } = await import('../../src/core/index.js');
    await t.aisoc.bus.publish('detect.alert.raised', {
      id: createId('alr'),
      time: new Date().toISOString(),
      detector: 'performance',
      kind: 'performance',
      model: 'credit',
      principal: null,
      sourceAddress: null,
      severity: 'high',
      confidence: 0.9,
      title: 'precision of credit fell by 45%',
      atlasTechniques: ['AML.T0020'],
      owasp: ['ML02:2023'],
      evidence: {},
      eventIds: [],
    });
    let approvals = '';
    for (let i = 0; i < 50 && !approvals.includes('known-good version 1'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      approvals = JSON.stringify((await t.admin('/api/v1/approvals')).json);
    }
    expect(approvals).toContain('Pin credit to its last known-good version 1?');
  });

  it('finishes requests in flight on the old version and sends new ones to the known-good one', async () => {
    const inFlight = infer();
    for (let i = 0; i < 100 && v2.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(v2.requests).toHaveLength(1);
    const rolled = await t.admin('/api/v1/registry/models/credit/rollback', {
      body: { to: '1', reason: 'incident 7' },
    });
    expect(rolled.status).toBe(200);
    expect((await inFlight).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await infer()).status).toBe(200);
    expect(v1.requests).toHaveLength(1);
    expect(v2.requests).toHaveLength(1);
    const history = await t.admin('/api/v1/registry/deployments/credit');
    expect(history.json.deployments.map((d: { reason: string }) => d.reason)).toEqual([
      'deploy: release', // the deploy_version action's reason (recorded as the gateway switched)
      'rollback: incident 7',
    ]);
    const at = await t.admin('/api/v1/registry/lineage/endpoints/credit');
    expect(at.json.version.version).toBe('1');
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?limit=100');
    expect(JSON.stringify(audit.json)).toContain('registry.deployment.recorded');
  });

  it('refuses to approve a version whose signature was made by an untrusted key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const root = join(t.dir, 'credit-3');
    mkdirSync(root);
    writeFileSync(join(root, 'model.onnx'), 'weights 3');
    const { bundle, manifest } = await signModel(root, {
      privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    await t.admin('/api/v1/registry/models/credit/versions', {
      body: {
        version: '3',
        upstream: 'http://127.0.0.1:9/credit-v3',
        files: manifest.files,
        signature: JSON.stringify(bundle),
      },
    });
    const refused = await t.admin('/api/v1/registry/models/credit/versions/3/approve', {
      body: { reason: 'r' },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe('REGISTRY_SIGNATURE_INVALID');
  });

  it("records a behavioural fingerprint from the version's own upstream", async () => {
    const probe = { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 1] }] };
    const res = await t.admin('/api/v1/registry/models/credit/versions/1/fingerprint', {
      body: { probes: [{ id: 'p1', input: probe }], tolerance: 0.01 },
    });
    expect(res.status).toBe(201);
    const p = 1 / (1 + Math.exp(-2));
    expect(res.json.probes[0].output.outputs[0].data[1]).toBeCloseTo(p, 5);
    const bad = await t.admin('/api/v1/registry/models/credit/versions/1/fingerprint', {
      body: { probes: [], tolerance: 0.01 },
    });
    expect(bad.status).toBe(400);
  });

  it('lists the inventory and writes the threat model', async () => {
    const inv = await t.admin('/api/v1/registry/inventory');
    expect(inv.json.assets.map((a: { kind: string; id: string }) => `${a.kind}:${a.id}`)).toEqual(
      expect.arrayContaining(['model:credit', 'endpoint:credit', 'endpoint:breast-cancer']),
    );
  });

  it('raises an integrity alert naming the probe when a fingerprinted upstream stops answering the same', async () => {
    const alerts: { title: string; kind: string }[] = [];
    const sub = await t.aisoc.bus.subscribe<{ title: string; kind: string }>(
      'detect.alert.raised',
      (m) => {
        alerts.push(m.data);
      },
    );
    await v1.close(); // the version-1 server is gone: its probe can no longer be answered
    const deadline = Date.now() + 4000;
    while (!alerts.some((a) => a.title.includes('p1')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await sub.unsubscribe();
    expect(alerts.find((a) => a.title.includes('credit@1'))).toMatchObject({ kind: 'integrity' });
  });

  it('writes only audit entries that match AuditEntrySchema', async () => {
    await t.aisoc.ledger.flush();
    const { problems, types } = await checkAuditLedger(t.aisoc.store);
    expect(problems).toEqual([]);
    expect(types.size).toBeGreaterThan(1);
  });
});
