import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppError, isAppError } from '../core/index.js';
import {
  checkJsonContentType,
  decodeRequest,
  encodeAnswer,
  kserveModelMetadata,
  matchRoute,
  parseJsonBody,
  readBody,
  requestedKserveOutputs,
  tfModelStatus,
  type ModelRoute,
} from '../protocol/index.js';
import { serveError, type ServeErrorCode } from './errors.js';
import { loadModelRegistry, type ModelEntry, type ModelRegistry } from './model-registry.js';
import type { ServedModel } from './served-model.js';

export interface ModelServerOptions {
  models: ModelEntry[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Largest accepted request body; default 4 MiB. */
  maxBodyBytes?: number;
  /** Time allowed for a request body to arrive; default 10 s. */
  bodyTimeoutMs?: number;
}

export interface ModelServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

interface BodyLimits {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
}

// The protocol module's refusals under the model server's own codes (docs/errors.md).
const FROM_PROTOCOL: Record<string, ServeErrorCode> = {
  PROTOCOL_INPUT_INVALID: 'SERVE_INPUT_INVALID',
  PROTOCOL_JSON_INVALID: 'SERVE_JSON_INVALID',
  PROTOCOL_CONTENT_TYPE_UNSUPPORTED: 'SERVE_CONTENT_TYPE_UNSUPPORTED',
  PROTOCOL_BODY_TOO_LARGE: 'SERVE_BODY_TOO_LARGE',
  PROTOCOL_BODY_TIMEOUT: 'SERVE_BODY_TIMEOUT',
};

function metadata(route: ModelRoute, registry: ModelRegistry): unknown {
  const served = registry.find(route.model, route.version ?? undefined);
  const all = registry.versions(served.id);
  if (route.protocol === 'tf-serving')
    return tfModelStatus(route.version === null ? all : [served.version]);
  if (route.kind === 'model-ready') return { name: served.id, ready: true };
  return kserveModelMetadata({
    id: served.id,
    versions: all,
    platform: 'onnxruntime_onnx',
    inputName: served.inputName,
    featureCount: served.featureCount,
    classCount: served.classCount,
  });
}

async function infer(
  route: ModelRoute,
  req: IncomingMessage,
  served: ServedModel,
  limits: BodyLimits,
): Promise<unknown> {
  checkJsonContentType(req.headers['content-type']);
  const body = parseJsonBody(await readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs));
  const request = decodeRequest(route.protocol, body, {
    inputName: served.inputName,
    featureCount: served.featureCount,
  });
  const outputs = route.protocol === 'kserve-v2' ? requestedKserveOutputs(body) : undefined;
  const result = await served.model.infer(request.rows);
  return encodeAnswer(request, { id: served.id, version: served.version }, result, outputs);
}

async function answer(
  req: IncomingMessage,
  pathname: string,
  registry: ModelRegistry,
  limits: BodyLimits,
): Promise<unknown> {
  const method = req.method ?? 'GET';
  const route = matchRoute(method, pathname);
  switch (route.kind) {
    case 'health':
      return { live: true, ready: true };
    case 'server-metadata':
      return { name: 'aisoc-model-server', version: '1', extensions: [] };
    case 'model-metadata':
    case 'model-ready':
      return metadata(route, registry);
    case 'infer': {
      // The generic route names no version: the model's first (default) one.
      const version = route.protocol === 'generic-json' ? undefined : (route.version ?? undefined);
      return infer(route, req, registry.find(route.model, version), limits);
    }
    case 'method-not-allowed':
      throw serveError(
        'SERVE_METHOD_NOT_ALLOWED',
        `${method} is not allowed on ${pathname}; use ${route.allow.join(' or ')}`,
        { details: { allow: route.allow } },
      );
    case 'unknown':
      throw serveError(
        'SERVE_ROUTE_NOT_FOUND',
        route.reason ?? `no route for ${method} ${pathname}`,
      );
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/**
 * Answers `{ error, code, message, statusCode }`. Errors that are not ours become a bare 500
 * so that internals never leak. If the body was not read (refused early), the connection is
 * closed after the answer and the rest of the body drained briefly, so the client still
 * receives the answer instead of a reset (the lingering close of RFC 9112 §9.6).
 */
function sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const mapped = isAppError(error) ? FROM_PROTOCOL[error.code] : undefined;
  const known: AppError = !isAppError(error)
    ? serveError('SERVE_INTERNAL', 'internal error')
    : mapped
      ? serveError(mapped, error.message)
      : error;
  const headers: Record<string, string> = {};
  const details = known.details as { allow?: string[] } | undefined;
  if (known.code === 'SERVE_METHOD_NOT_ALLOWED' && details?.allow)
    headers.allow = details.allow.join(', ');
  if (!req.complete) {
    headers.connection = 'close';
    const timer = setTimeout(() => req.socket.destroy(), 2_000);
    timer.unref();
    req.on('end', () => clearTimeout(timer)).resume();
  }
  const status = known.status;
  sendJson(
    res,
    status,
    {
      error: STATUS_CODES[status] ?? 'Error',
      code: known.code,
      message: known.message,
      statusCode: status,
    },
    headers,
  );
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: ModelRegistry,
  limits: BodyLimits,
): Promise<void> {
  try {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://model-server').pathname;
    } catch {
      throw serveError('SERVE_ROUTE_NOT_FOUND', 'the request target is not a valid path');
    }
    sendJson(res, 200, await answer(req, pathname, registry, limits));
  } catch (error) {
    if (!res.headersSent) sendError(req, res, error);
    else res.destroy();
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts a standalone HTTP model server for ONNX classifiers speaking KServe V2 (`/v2/...`),
 * TF Serving REST (`/v1/models/{name}:predict`) and generic JSON (`POST /generic/{name}`).
 * @example const server = await startModelServer({ models: [{ id: 'digits', version: '1', path: 'models/digits/model.onnx' }] });
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const limits: BodyLimits = {
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
  };
  const registry = await loadModelRegistry(options.models);
  let server: Server;
  try {
    server = createServer(
      {
        headersTimeout: 10_000,
        requestTimeout: Math.max(20_000, limits.bodyTimeoutMs * 2),
        keepAliveTimeout: 5_000,
      },
      (req, res) => void handle(req, res, registry, limits),
    );
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await registry.close();
    throw serveError(
      'SERVE_OPTIONS_INVALID',
      `cannot start the model server: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await registry.close();
    },
  };
}
