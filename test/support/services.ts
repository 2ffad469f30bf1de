import { createConnection } from 'node:net';
import { describe } from 'vitest';

/** Where the service-backed suites look for their servers; override with these variables. */
export const serviceUrls = {
  postgres: process.env.AISOC_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  nats: process.env.AISOC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
} as const;

type Service = keyof typeof serviceUrls;

const required = process.env.AISOC_REQUIRE_SERVICES === '1';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * `describe` when the service answers; otherwise a skipped suite with a visible message, or
 * a thrown error when AISOC_REQUIRE_SERVICES=1 (CI), so a missing server cannot pass silently.
 */
export async function describeWithService(
  service: Service,
  name: string,
  body: () => void,
): Promise<void> {
  const url = serviceUrls[service];
  if (await reachable(url)) {
    describe(name, body);
    return;
  }
  if (required)
    throw new Error(`${service} is required (AISOC_REQUIRE_SERVICES=1) but ${url} does not answer`);
  console.warn(`SKIPPED: ${name}: ${service} not reachable at ${url}`);
  describe.skip(`${name} (skipped: ${service} not reachable at ${url})`, body);
}
