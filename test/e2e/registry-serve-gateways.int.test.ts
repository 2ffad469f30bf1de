import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { deleteNatsStream } from '../../src/bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../../src/bus/nats-policy-channel.js';
import { signModel } from '../../src/registry/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { createTestSchemas } from '../support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../support/services.js';

type Instance = Awaited<ReturnType<typeof startTestAisoc>>;

// Two aisoc processes' worth (same code, two instances) on one PostgreSQL schema and one NATS
// policy bucket: a deployment made through one admin API serves at the other's gateway.
await describeWithService('postgres', 'registry deployments at every gateway', async () => {
  await describeWithService('nats', 'over PostgreSQL and NATS JetStream', () => {
    const schemas = createTestSchemas('serve_gw');
    const run = `serve_${Date.now().toString(36)}`;
    let a: Instance;
    let b: Instance;
    let secret: string;
    let row: number[][];
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    beforeAll(async () => {
      const keys = mkdtempSync(join(tmpdir(), 'aisoc-serve-gw-'));
      writeFileSync(join(keys, 'release.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
      const shared = {
        store: { driver: 'postgres', url: serviceUrls.postgres, schema: schemas.name('s') },
        bus: {
          driver: 'nats',
          servers: [serviceUrls.nats],
          stream: `${run}_events`.toUpperCase(),
          policyBucket: `${run}_policy`,
        },
        registry: { integrityIntervalMs: 60_000, trustedKeys: [join(keys, 'release.pub')] },
      };
      a = await startTestAisoc(shared);
      b = await startTestAisoc(shared);
      secret = (await a.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
      row = await demoRows('breast-cancer', 'holdout', 1);
    }, 120_000);
    afterAll(async () => {
      await b?.aisoc.close();
      await a?.aisoc.close();
      await schemas.dropAll();
      // The app's stream takes the default subjects: leave none behind for the next run.
      const servers = serviceUrls.nats;
      await deleteNatsStream({ servers, stream: `${run}_events`.toUpperCase() });
      await deleteNatsPolicyBucket({ servers, bucket: `${run}_policy` });
    });

    const infer = async (t: Instance, model: string) => {
      const res = await fetch(
        `${t.aisoc.gatewayUrl}/v2/models/${model.replace('@', '/versions/')}/infer`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: kserveBody(row),
        },
      );
      return { status: res.status, json: (await res.json()) as { model_version?: string } };
    };

    it('serves a version deployed through one instance at the other within a second, until quarantined', async () => {
      const root = join(a.dir, 'fraud-v4');
      mkdirSync(root);
      copyFileSync(
        join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
        join(root, 'model.onnx'),
      );
      const { bundle } = await signModel(root, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      const created = await a.admin('/api/v1/registry/models', {
        body: { name: 'fraud', owner: 'risk' },
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const reg = await a.admin('/api/v1/registry/models/fraud/versions', {
        body: { version: 'v4', location: root, signature: JSON.stringify(bundle) },
      });
      expect(reg.status, JSON.stringify(reg.json)).toBe(201);
      const approved = await a.admin('/api/v1/registry/models/fraud/versions/v4/approve', {
        body: { reason: 'release review' },
      });
      expect(approved.status, JSON.stringify(approved.json)).toBe(200);
      // Keys reach the other instance over the bus.
      const deadline = Date.now() + 5000;
      while ((await infer(b, 'breast-cancer')).status === 401 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect((await infer(b, 'fraud')).status).toBe(404);

      const deployed = await a.admin('/api/v1/registry/models/fraud/versions/v4/deploy', {
        body: { reason: 'first release' },
      });
      expect(deployed.status, JSON.stringify(deployed.json)).toBe(201);
      const start = Date.now();
      let answer = await infer(b, 'fraud');
      while (answer.status !== 200 && Date.now() - start < 1000) {
        await new Promise((r) => setTimeout(r, 10));
        answer = await infer(b, 'fraud');
      }
      const ms = Date.now() - start;
      process.stdout.write(`deploy → served at the other gateway: ${ms} ms\n`);
      expect(answer.status).toBe(200);
      expect(answer.json.model_version).toBe('v4');
      expect(ms).toBeLessThan(1000);

      const q = await a.admin('/api/v1/registry/models/fraud/versions/v4/quarantine', {
        body: { reason: 'suspected poisoning' },
      });
      expect(q.json).toMatchObject({ state: 'quarantined', serving: null });
      const gone = Date.now();
      while ((await infer(b, 'fraud')).status === 200 && Date.now() - gone < 1000)
        await new Promise((r) => setTimeout(r, 10));
      expect((await infer(b, 'fraud')).status).toBe(404);
    }, 60_000);

    it('withdraws a quarantined version at every gateway, also from its version route', async () => {
      const root = join(a.dir, 'bc-next');
      mkdirSync(root);
      copyFileSync(
        join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
        join(root, 'model.onnx'),
      );
      const { bundle } = await signModel(root, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      await a.admin('/api/v1/registry/models', { body: { name: 'breast-cancer', owner: 'ml' } });
      const reg = await a.admin('/api/v1/registry/models/breast-cancer/versions', {
        body: { version: 'next', location: root, signature: JSON.stringify(bundle) },
      });
      expect(reg.status, JSON.stringify(reg.json)).toBe(201);
      await a.admin('/api/v1/registry/models/breast-cancer/versions/next/approve', {
        body: { reason: 'release review' },
      });
      // Deployed to another endpoint: a record only, the model's route still serves version 1.
      const recorded = await a.admin('/api/v1/registry/models/breast-cancer/versions/next/deploy', {
        body: { reason: 'shadow endpoint', endpoint: 'bc-shadow' },
      });
      expect(recorded.status, JSON.stringify(recorded.json)).toBe(201);
      expect(recorded.json.actionId).toBeNull();
      // Loaded at B through a pin from A, then the pin is lifted: B keeps it on its version route.
      const pin = await a.admin('/api/v1/actions', {
        body: {
          action: { kind: 'pin_version', model: 'breast-cancer', version: 'next' },
          reason: 'try',
        },
      });
      expect(pin.status, JSON.stringify(pin.json)).toBe(201);
      await a.admin(`/api/v1/actions/${pin.json.id as string}/lift`, { method: 'POST' });
      const loaded = Date.now();
      while ((await infer(b, 'breast-cancer@next')).status !== 200 && Date.now() - loaded < 1000)
        await new Promise((r) => setTimeout(r, 10));
      expect((await infer(b, 'breast-cancer@next')).json.model_version).toBe('next');
      expect((await infer(b, 'breast-cancer')).json.model_version).toBe('1');

      // No pin or deployment names it now: the quarantine still reaches B.
      const q = await a.admin('/api/v1/registry/models/breast-cancer/versions/next/quarantine', {
        body: { reason: 'suspected poisoning' },
      });
      expect(q.json).toMatchObject({ state: 'quarantined', lifted: [], serving: '1' });
      const gone = Date.now();
      while ((await infer(b, 'breast-cancer@next')).status === 200 && Date.now() - gone < 1000)
        await new Promise((r) => setTimeout(r, 10));
      expect((await infer(b, 'breast-cancer@next')).status).toBe(404);
      expect((await infer(b, 'breast-cancer')).json.model_version).toBe('1');
    }, 60_000);
  });
});
