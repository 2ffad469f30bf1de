/**
 * Bench target (b): the cheapest honest Node reverse proxy (node:http in, undici Pool out, no
 * logging, no parsing). Bodies are buffered both ways, as the gateway does; for bodies this
 * small that measured faster here than streaming them through (≈18k vs ≈14k req/s).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { failChild, serveAsChild } from './child-process.js';

const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) failChild(new Error('BENCH_UPSTREAM is not set'));
const pool = new Pool(upstream!, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
const json = { 'content-type': 'application/json' };

async function forward(path: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  const answer = await pool.request({ method: 'POST', path, headers: json, body });
  const parts: Buffer[] = [];
  for await (const chunk of answer.body) parts.push(chunk as Buffer);
  return { status: answer.statusCode, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    forward(req.url ?? '/', body).then(
      (answer) => {
        res.writeHead(answer.status, { ...json, 'content-length': answer.body.length });
        res.end(answer.body);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.on('error', failChild);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveAsChild(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    server.close();
    await pool.close();
    return {};
  });
});
