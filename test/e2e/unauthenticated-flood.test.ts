import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';

// Issue 14, finding 11: 7,820/s of 401s, each a ledger row, cut a legitimate client to 37 req/s.
describe('a flood of unauthenticated requests', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let secret: string;
  let rows: number[][];
  beforeAll(async () => {
    t = await startTestAisoc({
      gateway: { port: 0, unauthenticated: { ratePerSecond: 5, burst: 20, windowMs: 500 } },
    });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'legit' } })).json.secret;
    rows = await demoRows('digits', 'holdout', 1);
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  const infer = (key: string) =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    });

  it('limits the source (429 after its burst), keeps serving valid keys, and writes one aggregate entry per window instead of a row per request', async () => {
    await t.aisoc.ledger.flush();
    const inferenceBefore = t.aisoc.ledger.stats().written;
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await infer(`aisoc_bad_${i}`);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(250);
    expect((await infer(secret)).status).toBe(200); // same address, valid key: served

    await new Promise((r) => setTimeout(r, 1_200)); // the window closes, the aggregate is queued
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?limit=10000');
    const aggregates = audit.json.entries
      .map((e: { payload: { type?: string } }) => e.payload)
      .filter((p: { type?: string }) => p.type === 'gateway.unauthenticated.aggregated');
    const counted = aggregates.reduce((n: number, a: { count: number }) => n + a.count, 0);
    expect(counted).toBe(300);
    expect(aggregates.length).toBeLessThanOrEqual(6);
    expect(aggregates[0]).toMatchObject({
      source: expect.any(String),
      models: { digits: expect.any(Number) },
    });
    // Only the valid request, the aggregates and the key creation's audit are new rows.
    const written = t.aisoc.ledger.stats().written - inferenceBefore;
    expect(written).toBeLessThan(20);
  }, 60_000);
});
