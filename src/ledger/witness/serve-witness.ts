import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Witness, WitnessReply } from './witness.js';

const MAX_BODY = 64 * 1024;

/** A running witness HTTP server. */
export interface WitnessServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a witness over HTTP: `POST /add-checkpoint` (c2sp.org/tlog-witness), `GET
 * /checkpoints` (the latest cosigned checkpoint per origin, as a witness file) and `GET
 * /healthz`. Slow or large requests are cut off: a witness faces the network.
 */
export async function serveWitness(
  witness: Witness,
  options: { host: string; port: number },
): Promise<WitnessServer> {
  const server: Server = createServer((req, res) => {
    const send = (r: WitnessReply) => {
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body);
    };
    const json = (status: number, code: string, message: string) =>
      send({
        status,
        contentType: 'application/json',
        body: JSON.stringify({ error: code, code, message, statusCode: status }),
      });
    if (req.method === 'GET' && req.url === '/healthz') return json(200, 'OK', 'ok');
    if (req.method === 'GET' && req.url === '/checkpoints')
      return send({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: witness.checkpoints(),
      });
    if (req.method !== 'POST' || req.url !== '/add-checkpoint')
      return json(404, 'NOT_FOUND', `no route ${req.method} ${req.url}`);
    readBody(req).then(
      async (body) => {
        if (body === null)
          return json(413, 'LEDGER_NOTE_INVALID', `the body is larger than ${MAX_BODY} bytes`);
        send(await witness.add(body));
      },
      () => json(500, 'INTERNAL', 'the witness failed to handle the request'),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body as text, or null when it exceeds MAX_BODY. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY) {
        req.removeAllListeners('data').resume(); // drain the rest unread, then answer 413
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
