import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An upstream the drill controls: forwards to a model server, or (swapped) alters it. */
export interface SwapProxy {
  readonly url: string;
  /** From now on the answers come from an altered model (its input weights permuted). */
  swap(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Reversing each row's features is the same as serving a model whose first-layer weights
// were permuted: same architecture and file size, other answers.
function alter(body: Buffer): Buffer {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      inputs?: { shape?: number[]; data?: number[] }[];
    };
    for (const input of parsed.inputs ?? []) {
      const [n, d] = input.shape ?? [];
      if (!n || !d || !Array.isArray(input.data)) continue;
      const rows = Array.from({ length: n }, (_, i) => input.data!.slice(i * d, (i + 1) * d));
      input.data = rows.flatMap((r) => r.reverse());
    }
    return Buffer.from(JSON.stringify(parsed));
  } catch {
    return body;
  }
}

/** Starts the proxy on 127.0.0.1 (any free port) in front of `upstream`. */
export async function startSwapProxy(upstream: string): Promise<SwapProxy> {
  let swapped = false;
  const base = upstream.replace(/\/$/, '');
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const answer = await fetch(base + (req.url ?? '/'), {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'GET' || req.method === 'HEAD'
          ? {}
          : { body: swapped ? alter(body) : body }),
      });
      const out = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(out);
    })().catch(() => {
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    swap: async () => {
      swapped = true;
    },
    restore: async () => {
      swapped = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
