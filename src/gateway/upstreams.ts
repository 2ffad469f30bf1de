import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
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

interface Target {
  pool: Pool;
  path: string;
}

// Upstream URLs carry the version named by the client, so the parsed-URL cache is bounded.
const MAX_CACHED_URLS = 1024;

/**
 * One keep-alive connection pool per upstream origin. Answers are collected through undici's
 * low-level `dispatch` handler rather than `request()`: no Readable stream and no async
 * iterator per request, which profiling showed to be a large share of the proxy's CPU time.
 */
export function createUpstreams(options: {
  connections: number;
  maxResponseBytes: number;
}): Upstreams {
  const pools = new Map<string, Pool>();
  const targets = new Map<string, Target>();
  const targetFor = (url: string): Target => {
    let target = targets.get(url);
    if (target) return target;
    const parsed = new URL(url);
    let pool = pools.get(parsed.origin);
    if (!pool) {
      pool = new Pool(parsed.origin, {
        connections: options.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
      });
      pools.set(parsed.origin, pool);
    }
    target = { pool, path: parsed.pathname + parsed.search };
    if (targets.size >= MAX_CACHED_URLS) targets.clear();
    targets.set(url, target);
    return target;
  };
  return {
    post(url, body, headers, timeoutMs) {
      let target: Target;
      try {
        target = targetFor(url);
      } catch (error) {
        return Promise.reject(mapUpstreamError(error, url, timeoutMs));
      }
      return new Promise((resolve, reject) => {
        const request: Dispatcher.DispatchOptions = {
          method: 'POST',
          path: target.path,
          headers,
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        };
        target.pool.dispatch(
          request,
          collect(options.maxResponseBytes, resolve, (error) =>
            reject(mapUpstreamError(error, url, timeoutMs)),
          ),
        );
      });
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
      targets.clear();
    },
  };
}

/** A dispatch handler that gathers the whole answer, refusing more than `limit` bytes. */
function collect(
  limit: number,
  resolve: (answer: UpstreamResponse) => void,
  reject: (error: unknown) => void,
): Dispatcher.DispatchHandler {
  let status = 0;
  let contentType: string | undefined;
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    // Its presence is what tells undici this handler speaks the (non-deprecated) v7 API.
    onRequestStart() {},
    onResponseStart(_controller, statusCode, headers) {
      // 1xx answers come before the real one; only the last start counts.
      status = statusCode;
      const type = headers['content-type'];
      contentType = Array.isArray(type) ? type[0] : type;
      chunks = [];
      size = 0;
    },
    onResponseData(controller, chunk) {
      size += chunk.length;
      if (size > limit) {
        controller.abort(
          new GatewayError(
            'GATEWAY_UPSTREAM_INVALID_RESPONSE',
            `upstream answer exceeds ${limit} bytes`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    },
    onResponseEnd() {
      resolve({
        status,
        contentType,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
      });
    },
    onResponseError(_controller, error) {
      reject(error);
    },
  };
}

function mapUpstreamError(error: unknown, url: string, timeoutMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const origin = safeOrigin(url);
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

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'with an invalid URL';
  }
}
