import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification the SOC channel received, and whether its HMAC signature held. */
export interface ReceivedNotification {
  readonly text: string;
  readonly verified: boolean;
  readonly at: number;
}

export interface WebhookSink {
  readonly url: string;
  /** The HMAC key the defender signs with (write it to the webhook's `secretFile`). */
  readonly secret: string;
  received(): readonly ReceivedNotification[];
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

/**
 * The SOC's chat channel in a drill: takes aisoc's webhook posts, checks each signature
 * (`v1=` HMAC-SHA256 over `<timestamp>.<body>`), answers 401 to a forgery and 204 otherwise.
 */
export async function startWebhookSink(): Promise<WebhookSink> {
  const secret = randomBytes(32).toString('hex');
  const got: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified =
        size <= MAX_BODY &&
        signatureHolds(
          secret,
          String(req.headers['x-aisoc-timestamp'] ?? ''),
          body,
          String(req.headers['x-aisoc-signature'] ?? ''),
        );
      let text = '';
      try {
        text = String((JSON.parse(body) as { text?: unknown }).text ?? '');
      } catch {
        text = '';
      }
      got.push({ text, verified, at: Date.now() });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/soc`,
    secret,
    received: () => got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function signatureHolds(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(
    `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
