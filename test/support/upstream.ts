import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A real HTTP model server for gateway tests: answers KServe V2, TF Serving and generic JSON
 * with a fixed linear scorer (probability = sigmoid(sum of features)), records what it got,
 * and can be told to hang or to fail.
 */
export async function startTestUpstream(
  options: {
    hang?: boolean;
    status?: number;
    delayMs?: number;
    /** Answer 503 to a request holding any row this picks (the rest are answered). */
    failRow?: (row: number[]) => boolean;
    /** Called with each request's row count, when it arrives and when it is answered (+1 / -1). */
    onInFlight?: (delta: number) => void;
  } = {},
) {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (options.hang) return;
      const parsed = JSON.parse(body) as Record<string, unknown>;
      const rows = rowsOf(req.url ?? '', parsed);
      if (options.onInFlight) {
        options.onInFlight(1);
        res.on('finish', () => options.onInFlight!(-1));
      }
      if (options.failRow && rows.some(options.failRow)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'model unavailable for this row' }));
        return;
      }
      const probs = rows.map((r) => {
        const p = 1 / (1 + Math.exp(-r.reduce((a, b) => a + b, 0)));
        return [1 - p, p];
      });
      let answer: unknown;
      if (req.url?.startsWith('/v2/')) {
        answer = {
          model_name: 'm',
          outputs: [
            {
              name: 'probabilities',
              datatype: 'FP32',
              shape: [rows.length, 2],
              data: probs.flat(),
            },
          ],
        };
      } else if (req.url?.startsWith('/v1/')) {
        answer = { predictions: probs };
      } else {
        answer = { result: { scores: probs } };
      }
      const text = JSON.stringify(answer);
      if (options.delayMs) {
        setTimeout(() => {
          res.writeHead(options.status ?? 200, { 'content-type': 'application/json' });
          res.end(text);
        }, options.delayMs);
        return;
      }
      res.writeHead(options.status ?? 200, {
        'content-type': 'application/json',
        'x-upstream': 'yes',
        connection: 'keep-alive',
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function rowsOf(url: string, body: Record<string, unknown>): number[][] {
  if (url.startsWith('/v2/')) {
    const input = (body.inputs as { shape: number[]; data: number[] }[])[0]!;
    const width = input.shape[1] ?? input.data.length;
    const rows: number[][] = [];
    for (let i = 0; i < input.data.length; i += width) rows.push(input.data.slice(i, i + width));
    return rows;
  }
  if (url.startsWith('/v1/')) return body.instances as number[][];
  return (body.payload as { x: number[][] }).x;
}
