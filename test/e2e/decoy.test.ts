import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from '../../src/app/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { eventually } from '../support/respond.js';

describe('a decoy model (real gateway, detectors and playbooks)', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const key: Record<string, { secret: string; id: string }> = {};
  beforeAll(async () => {
    t = await startTestAisoc({
      models: [
        ...demoModels(),
        {
          id: 'breast-cancer-v0',
          decoy: true,
          protocol: 'kserve-v2',
          featureCount: 30,
          versions: [
            { version: '1', onnx: join(packageRoot(), 'models', 'breast-cancer', 'model.onnx') },
          ],
        },
      ],
    });
    for (const who of ['clinic', 'prober']) {
      const r = (await t.admin('/api/v1/keys', { body: { principal: who } })).json;
      key[who] = { secret: r.secret, id: r.key.id };
    }
  }, 60_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  const infer = async (model: string, secret?: string) =>
    (
      await fetch(`${t.aisoc.gatewayUrl}/v2/models/${model}/infer`, {
        method: 'POST',
        headers: {
          ...(secret ? { authorization: `Bearer ${secret}` } : {}),
          'content-type': 'application/json',
        },
        body: kserveBody(await demoRows('breast-cancer', 'holdout', 2)),
      })
    ).status;
  const decoyAlerts = async () =>
    (
      (await t.admin('/api/v1/alerts?limit=100')).json.alerts as {
        detector: string;
        principal: string | null;
        evidence: Record<string, unknown>;
      }[]
    ).filter((a) => a.detector === 'decoy');

  it('alerts on one query to the decoy and slows that key, while honest traffic raises nothing', async () => {
    for (let i = 0; i < 50; i++) expect(await infer('breast-cancer', key.clinic!.secret)).toBe(200);
    expect(await infer('breast-cancer-v0', key.prober!.secret)).toBe(200);
    const [alert] = await eventually(async () => {
      const a = await decoyAlerts();
      return a.length ? a : undefined;
    }, 10_000);
    expect(alert).toMatchObject({ principal: 'prober', evidence: { keyId: key.prober!.id } });
    await eventually(
      async () =>
        t.aisoc.policy().rateLimits.get(key.prober!.id)?.ratePerSecond === 0.2 ? true : undefined,
      10_000,
    );
    expect(t.aisoc.policy().rateLimits.has(key.clinic!.id)).toBe(false);
    const incidents = (await t.admin('/api/v1/incidents')).json.incidents as {
      category: string;
      principals: string[];
      atlasTechniques: string[];
    }[];
    expect(incidents).toEqual([
      expect.objectContaining({
        category: 'model-theft',
        principals: ['prober'],
        atlasTechniques: expect.arrayContaining(['AML.T0040']),
      }),
    ]);
  });
});
