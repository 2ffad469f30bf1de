import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTarget } from './http-target.js';

// A real HTTP server on 127.0.0.1 that answers from a script: one status/body per request.
describe('createHttpTarget', () => {
  let server: Server;
  let url: string;
  const script: { status: number; body: unknown }[] = [];
  const seen: { auth: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        const next = script.shift() ?? { status: 500, body: {} };
        res.writeHead(next.status, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify(next.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const answer = { outputs: [{ name: 'probabilities', shape: [1, 2], data: [0.3, 0.7] }] };
  const limited = (details: object) => ({
    status: 429,
    body: { code: 'GATEWAY_RATE_LIMITED', details },
  });

  it('sends a KServe V2 body with the key and keeps what the gateway answered', async () => {
    script.push({ status: 200, body: answer });
    const target = createHttpTarget({ gatewayUrl: url, model: 'm', apiKey: 'k1' });
    expect(await target.query([[1, 2]])).toEqual({ probabilities: [[0.3, 0.7]], labels: [1] });
    expect(seen.at(-1)!.auth).toBe('Bearer k1');
    expect(JSON.parse(seen.at(-1)!.body).inputs[0]).toMatchObject({ shape: [1, 2], data: [1, 2] });
    expect(target.answered).toEqual([{ features: [1, 2], label: 1 }]);
    expect(target.blocked).toBeNull();
  });

  it("waits out the key's ordinary rate limit and retries", async () => {
    script.push(limited({ retryAfterSeconds: 0.01 }), { status: 200, body: answer });
    const target = createHttpTarget({ gatewayUrl: url, model: 'm', apiKey: 'k' });
    await target.query([[1, 2]]);
    expect(target.throttled).toBe(1);
    expect(target.blocked).toBeNull();
  });

  it('stops the attack with DRILL_CONTAINED on a 429 naming a containment action, and on a 403', async () => {
    script.push(limited({ action: 'rate_limit', actionId: 'act_1' }), { status: 403, body: {} });
    const a = createHttpTarget({ gatewayUrl: url, model: 'm', apiKey: 'k' });
    await expect(a.query([[1, 2]])).rejects.toMatchObject({ code: 'DRILL_CONTAINED' });
    expect(a.blocked?.status).toBe(429);
    const b = createHttpTarget({ gatewayUrl: url, model: 'm', apiKey: 'k' });
    await expect(b.query([[1, 2]])).rejects.toMatchObject({ code: 'DRILL_CONTAINED' });
    expect(b.blocked?.status).toBe(403);
    expect(b.answered).toEqual([]);
  });

  it('fails with DRILL_HTTP_FAILED on other statuses and when nothing listens', async () => {
    script.push({ status: 502, body: { code: 'GATEWAY_UPSTREAM_UNREACHABLE' } });
    const target = createHttpTarget({ gatewayUrl: url, model: 'm', apiKey: 'k' });
    await expect(target.query([[1, 2]])).rejects.toMatchObject({ code: 'DRILL_HTTP_FAILED' });
    const nowhere = createHttpTarget({ gatewayUrl: 'http://127.0.0.1:1', model: 'm', apiKey: 'k' });
    await expect(nowhere.query([[1]])).rejects.toMatchObject({ code: 'DRILL_HTTP_FAILED' });
  });
});
