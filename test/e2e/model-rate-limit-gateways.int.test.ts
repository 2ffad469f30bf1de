import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteNatsStream } from '../../src/bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../../src/bus/nats-policy-channel.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { createTestSchemas } from '../support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../support/services.js';

type Instance = Awaited<ReturnType<typeof startTestAisoc>>;

// Two instances on one PostgreSQL schema and one NATS policy bucket: a model-wide rate limit
// applied through one admin API holds at the other's gateway, and its lift too.
await describeWithService('postgres', 'model rate limits at every gateway', async () => {
  await describeWithService('nats', 'over PostgreSQL and NATS JetStream', () => {
    const schemas = createTestSchemas('model_rl');
    const run = `mrl_${Date.now().toString(36)}`;
    let a: Instance;
    let b: Instance;
    let secrets: string[];
    let row: number[][];

    beforeAll(async () => {
      const shared = {
        store: { driver: 'postgres', url: serviceUrls.postgres, schema: schemas.name('s') },
        bus: {
          driver: 'nats',
          servers: [serviceUrls.nats],
          stream: `${run}_events`.toUpperCase(),
          policyBucket: `${run}_policy`,
        },
      };
      a = await startTestAisoc(shared);
      b = await startTestAisoc(shared);
      secrets = [];
      for (const principal of ['app-1', 'app-2'])
        secrets.push((await a.admin('/api/v1/keys', { body: { principal } })).json.secret);
      row = await demoRows('breast-cancer', 'holdout', 1);
    }, 120_000);
    afterAll(async () => {
      await b?.aisoc.close();
      await a?.aisoc.close();
      await schemas.dropAll();
      const servers = serviceUrls.nats;
      await deleteNatsStream({ servers, stream: `${run}_events`.toUpperCase() });
      await deleteNatsPolicyBucket({ servers, bucket: `${run}_policy` });
    });

    const infer = async (t: Instance, secret: string) =>
      (
        await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: kserveBody(row),
        }).then(async (r) => (await r.arrayBuffer(), r))
      ).status;
    const until = async (check: () => Promise<boolean>, ms = 5000) => {
      const end = Date.now() + ms;
      while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return check();
    };

    it('a model limit applied at one instance is enforced and lifted at the other', async () => {
      // Keys reach the other instance over the bus.
      expect(await until(async () => (await infer(b, secrets[1]!)) === 200)).toBe(true);
      const started = Date.now();
      const applied = await a.admin('/api/v1/actions', {
        body: {
          action: { kind: 'rate_limit', model: 'breast-cancer', ratePerSecond: 0.01, burst: 2 },
          reason: 'campaign over many keys',
        },
      });
      expect(applied.status, JSON.stringify(applied.json)).toBe(201);
      expect(applied.json.pending).toBe(false);
      // The other gateway takes it from the policy bucket, as it takes key actions.
      expect(
        await until(
          async () =>
            b.aisoc.policy().modelRateLimits.get('breast-cancer')?.actionId === applied.json.id,
        ),
      ).toBe(true);
      process.stdout.write(
        `model rate limit applied at a → held at b: ${Date.now() - started} ms\n`,
      );
      const seen = [];
      for (const s of [secrets[0]!, secrets[1]!, secrets[0]!]) seen.push(await infer(b, s));
      expect(seen).toEqual([200, 200, 429]);

      await a.admin(`/api/v1/actions/${applied.json.id}/lift`, { body: {} });
      expect(await until(async () => !b.aisoc.policy().modelRateLimits.has('breast-cancer'))).toBe(
        true,
      );
      expect([await infer(b, secrets[0]!), await infer(b, secrets[1]!)]).toEqual([200, 200]);
    }, 60_000);
  });
});
