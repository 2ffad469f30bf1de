import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';

// Issue 14, finding 13: deep nesting must be a clean 400 with a code, never a 500.
describe('deeply nested JSON at the gateway and the admin API', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let secret: string;
  beforeAll(async () => {
    t = await startTestAisoc();
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'deep' } })).json.secret;
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  const deep = (n: number, open = '[', close = ']') => open.repeat(n) + '1' + close.repeat(n);

  it('answers 400 GATEWAY_BODY_TOO_DEEP for 100,000 levels in an inference body', async () => {
    // The second body gave 500 GATEWAY_INTERNAL (a stack overflow flattening `data`) before.
    const tensor = `{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":${deep(100_000)}}]}`;
    for (const body of [deep(100_000), tensor, `{"inputs":${deep(100_000, '{"a":', '}')}}`]) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'GATEWAY_BODY_TOO_DEEP' });
    }
  });

  it('answers 400 API_BODY_TOO_DEEP for 100,000 levels in an admin body', async () => {
    const token = (await import('node:fs')).readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    const res = await fetch(`${t.aisoc.adminUrl}/api/v1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"action":${deep(100_000)},"reason":"x"}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'API_BODY_TOO_DEEP' });
  });

  it('still takes bodies nested as deep as real requests are', async () => {
    const ok = await t.admin('/api/v1/keys', {
      body: { principal: 'nested', description: JSON.stringify(deep(40)) },
    });
    expect(ok.status).toBe(201);
  });
});
