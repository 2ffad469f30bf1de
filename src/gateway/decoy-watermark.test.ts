import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  buildPolicySnapshot,
  createDecoyWatermark,
  keyedNormals,
  type InferenceEvent,
} from '../core/index.js';
import { startTestUpstream } from '../../test/support/upstream.js';
import { createGateway, createKeyDirectory, generateApiKey, type Gateway } from './index.js';

/** A decoy's answers over real HTTP: triggers get the keyed teacher's scores, the rest the model's. */
describe('gateway: decoy watermark', () => {
  let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
  let gateway: Gateway;
  let url: string;
  const events: InferenceEvent[] = [];
  const key = generateApiKey();
  const reference = Array.from({ length: 100 }, (_, i) => keyedNormals('ref', String(i), 3));
  const watermark = createDecoyWatermark({
    secret: 'a-test-secret-of-32-bytes-length',
    model: 'fraud-v0',
    reference,
    classCount: 2,
  });

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = parseConfig({
      gateway: { port: 0 },
      models: [
        { id: 'fraud', featureCount: 3, versions: [{ version: '1', upstream: upstream.url }] },
        {
          id: 'fraud-v0',
          decoy: true,
          featureCount: 3,
          versions: [{ version: '1', upstream: upstream.url }],
        },
      ],
    });
    const keys = createKeyDirectory();
    keys.replace([
      {
        hash: key.hash,
        key: { id: key.id, principal: 'p', models: null, ratePerSecond: null, burst: null },
      },
    ]);
    gateway = createGateway({
      config: config.gateway,
      models: config.models,
      keys,
      policy: () => buildPolicySnapshot(0, []),
      localModels: new Map(),
      events: { record: (event) => void events.push(event) },
      decoyWatermarks: new Map([['fraud-v0', watermark]]),
    });
    url = await gateway.listen();
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const ask = async (model: string, rows: number[][]) => {
    const res = await fetch(`${url}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [rows.length, 3], datatype: 'FP32', data: rows.flat() }],
      }),
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { outputs: { name: string; data: number[] }[] };
    const scores = doc.outputs.find((o) => o.name === 'probabilities') ?? doc.outputs[0]!;
    return rows.map((_, i) => scores.data.slice(2 * i, 2 * i + 2));
  };

  it('replaces the scores of trigger rows only, the same way every time, and records which', async () => {
    // Float32-exact values, so the rows the gateway parses are the rows the test hashes.
    const rows = Array.from({ length: 200 }, (_, i) => [i / 8, -i / 16, (i % 7) / 4]);
    const triggers = rows.flatMap((r, i) => (watermark.isTrigger(r) ? [i] : []));
    expect(triggers.length).toBeGreaterThan(20);
    const honest = await ask('fraud', rows);
    const decoy = await ask('fraud-v0', rows);
    rows.forEach((row, i) => {
      if (triggers.includes(i)) {
        const expected = watermark.keyedScores(row);
        expect(decoy[i]![0]).toBeCloseTo(expected[0]!, 5);
        expect(decoy[i]![1]).toBeCloseTo(expected[1]!, 5);
      } else expect(decoy[i]).toEqual(honest[i]);
    });
    const event = events.findLast((e) => e.model === 'fraud-v0')!;
    expect(event.policyAction).toContain(`decoy_watermark:config/rows=${triggers.join(';')}`);
    expect(await ask('fraud-v0', rows)).toEqual(decoy);
  });
});
