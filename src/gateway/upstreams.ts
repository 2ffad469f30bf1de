import { Pool, errors as undiciErrors } from 'undici';
import { GatewayError } from './errors.js';

export interface UpstreamResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export interface Upstreams {
  /** POSTs `body` to `url` (an absolute URL) and returns the whole answer. */
  post(
    url: string,
    body: Buffer,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** One keep-alive connection pool per upstream origin. */
export function createUpstreams(options: {
  connections: number;
  maxResponseBytes: number;
}): Upstreams {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    async post(url, body, headers, timeoutMs) {
      const target = new URL(url);
      try {
        const res = await poolFor(target.origin).request({
          method: 'POST',
          path: target.pathname + target.search,
          headers,
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          maxRedirections: 0,
        } as Parameters<Pool['request']>[0]);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > options.maxResponseBytes) {
            res.body.destroy();
            throw new GatewayError(
              'GATEWAY_UPSTREAM_INVALID_RESPONSE',
              `upstream answer exceeds ${options.maxResponseBytes} bytes`,
            );
          }
          chunks.push(chunk as Buffer);
        }
        const type = res.headers['content-type'];
        return {
          status: res.statusCode,
          contentType: Array.isArray(type) ? type[0] : type,
          body: Buffer.concat(chunks, size),
        };
      } catch (error) {
        throw mapUpstreamError(error, url, timeoutMs);
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}

function mapUpstreamError(error: unknown, url: string, timeoutMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const origin = new URL(url).origin;
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new GatewayError(
      'GATEWAY_UPSTREAM_TIMEOUT',
      `upstream ${origin} did not answer within ${timeoutMs} ms`,
    );
  }
  const code = (error as { code?: string }).code ?? '';
  return new GatewayError(
    'GATEWAY_UPSTREAM_UNREACHABLE',
    `upstream ${origin} is unreachable (${code || (error as Error).message})`,
  );
}
