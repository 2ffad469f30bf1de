import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';

/** Opens a raw connection to `url`, writes `text`, and resolves with what came back and when it closed. */
function hold(
  url: string,
  text: string,
): { socket: Socket; closed: Promise<{ ms: number; data: string }> } {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  const socket = connect({ host: hostname, port: Number(port) });
  let data = '';
  socket.on('data', (d) => (data += d.toString()));
  socket.on('error', () => undefined);
  if (text) socket.write(text);
  const closed = new Promise<{ ms: number; data: string }>((resolve) =>
    socket.on('close', () => resolve({ ms: Date.now() - started, data })),
  );
  return { socket, closed };
}

// Issue 14, finding 12: a slow body was held 301 s and slow headers 60 s; nothing capped connections.
describe('the admin API server limits', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  beforeAll(async () => {
    t = await startTestAisoc({
      admin: { port: 0, headersTimeoutMs: 1_000, requestTimeoutMs: 1_500, maxConnections: 4 },
    });
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  it('closes a connection whose headers never finish within the headers timeout', async () => {
    const { closed } = hold(t.aisoc.adminUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const { ms, data } = await closed;
    expect(ms).toBeLessThan(4_000);
    expect(data === '' || data.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a connection whose body never finishes within the request timeout', async () => {
    const token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    const { closed } = hold(
      t.aisoc.adminUrl,
      `POST /api/v1/keys HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${token}\r\n` +
        'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"prin',
    );
    const { ms, data } = await closed;
    expect(ms).toBeGreaterThanOrEqual(1_000); // authenticated: it waited for the body
    expect(ms).toBeLessThan(5_000);
    expect(data).not.toMatch(/^HTTP\/1\.1 201/);
  });

  it('closes connections beyond maxConnections at once and serves again when they go', async () => {
    const held = Array.from({ length: 4 }, () => hold(t.aisoc.adminUrl, ''));
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once('connect', r))));
    await new Promise((r) => setTimeout(r, 50));
    const extra = hold(t.aisoc.adminUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await extra.closed;
    expect(refused.ms).toBeLessThan(900);
    expect(refused.data).toBe('');
    held.forEach((h) => h.socket.destroy());
    await Promise.all(held.map((h) => h.closed));
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${t.aisoc.adminUrl}/healthz`)).status).toBe(200);
  });
});
