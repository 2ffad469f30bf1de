import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createGatewayProber } from './gateway-prober.js';

describe('gateway prober', () => {
  const seen: { url: string; auth: string | undefined; body: string }[] = [];
  let status = 200;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200
          ? JSON.stringify({ ok: true })
          : JSON.stringify({ code: 'GATEWAY_MODEL_UNKNOWN', message: 'no version' }),
      );
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const { models } = parseConfig({
    models: [
      { id: 'k.s', versions: [{ version: '1', upstream: 'http://u' }] },
      { id: 'tf', protocol: 'tf-serving', versions: [{ version: '1', upstream: 'http://u' }] },
      {
        id: 'gen',
        protocol: 'generic-json',
        generic: {},
        versions: [{ version: '1', upstream: 'http://u' }],
      },
    ],
  });
  const probe = createGatewayProber({
    models,
    timeoutMs: 5000,
    target: () => ({ url, secret: 's3cret' }),
  });

  it('sends each probe to the version-addressed route with the system key', async () => {
    expect(await probe('k.s', { inputs: [] }, 'v 2')).toEqual({ ok: true });
    await probe('tf', { instances: [[1]] }, '7');
    expect(seen.map((s) => s.url)).toEqual([
      '/v2/models/k.s/versions/v%202/infer',
      '/v1/models/tf/versions/7:predict',
    ]);
    expect(seen[0]).toMatchObject({ auth: 'Bearer s3cret', body: '{"inputs":[]}' });
  });

  it("names the gateway's refusal, and models that cannot be probed", async () => {
    status = 404;
    await expect(probe('k.s', {}, '9')).rejects.toMatchObject({
      code: 'REGISTRY_PROBE_FAILED',
      message: 'k.s@9: the gateway answered 404 GATEWAY_MODEL_UNKNOWN: no version',
    });
    await expect(probe('gen', {}, '1')).rejects.toThrow(/no version-addressed route/);
    await expect(
      createGatewayProber({ models, timeoutMs: 10, target: () => undefined })('k.s', {}, '1'),
    ).rejects.toThrow(/not listening yet/);
  });
});
