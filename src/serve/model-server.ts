import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppError, isAppError } from '../core/index.js';
import { serveError } from './errors.js';
import { parseGeneric, formatGeneric } from './generic-json.js';
import { formatKserveInfer, kserveModelMetadata, parseKserveInfer } from './kserve-v2.js';
import { matchRoute, type Route } from './match-route.js';
import { loadModelRegistry, type ModelEntry, type ModelRegistry } from './model-registry.js';
import { type BodyLimits, readJsonBody } from './read-json-body.js';
import { formatTfPredict, parseTfPredict, tfModelStatus } from './tf-serving.js';

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

type Handler = (
  route: Route,
  req: IncomingMessage,
  registry: ModelRegistry,
  limits: BodyLimits,
) => Promise<unknown> | unknown;

const HANDLERS: Record<Route['kind'], Handler> = {
  health: () => ({ live: true, ready: true }),
  'server-metadata': () => ({ name: 'aisoc-model-server', version: '1', extensions: [] }),
  'kserve-metadata': (route, _req, registry) => {
    const served = registry.find(route.model as string, route.version);
    return kserveModelMetadata(served, registry.versions(served.id));
  },
  'kserve-ready': (route, _req, registry) => ({
    name: registry.find(route.model as string, route.version).id,
    ready: true,
  }),
  'kserve-infer': async (route, req, registry, limits) => {
    const served = registry.find(route.model as string, route.version);
    const request = parseKserveInfer(await readJsonBody(req, limits), served);
    return formatKserveInfer(served, request, await served.model.infer(request.rows as number[][]));
  },
  'tf-status': (route, _req, registry) => {
    const served = registry.find(route.model as string, route.version);
    return tfModelStatus(
      route.version === undefined ? registry.versions(served.id) : [served.version],
    );
  },
  'tf-predict': async (route, req, registry, limits) => {
    const served = registry.find(route.model as string, route.version);
    const request = parseTfPredict(await readJsonBody(req, limits), served.inputName);
    return formatTfPredict(request, await served.model.infer(request.rows as number[][]));
  },
  generic: async (route, req, registry, limits) => {
    const served = registry.find(route.model as string, undefined);
    const rows = parseGeneric(await readJsonBody(req, limits));
    return formatGeneric(await served.model.infer(rows as number[][]));
  },
};

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
  const known: AppError = isAppError(error)
    ? error
    : serveError('SERVE_INTERNAL', 'internal error');
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
    const route = matchRoute(req.method ?? 'GET', pathname);
    sendJson(res, 200, await HANDLERS[route.kind](route, req, registry, limits));
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
