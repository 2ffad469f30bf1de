import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

export interface HttpLimits {
  host: string;
  port: number;
  headersTimeoutMs: number;
  /** The whole request, body included. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/**
 * Serves a fetch handler with the limits the gateway has: header and whole-request timeouts,
 * an idle keep-alive timeout and a connection cap (issue 14, finding 12). Node checks the
 * timeouts every `connectionsCheckingInterval`, so that is kept well below them.
 */
export function listenHttp(
  fetch: (req: Request) => Response | Promise<Response>,
  limits: HttpLimits,
): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        hostname: limits.host,
        port: limits.port,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.max(
            50,
            Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2)),
          ),
        },
      },
      (info: AddressInfo) => {
        resolve({
          server,
          url: `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`,
        });
      },
    );
    (server as { maxConnections?: number }).maxConnections = limits.maxConnections;
    server.once('error', reject);
  });
}
