import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError, ContainmentActionSchema, isAppError } from '../core/index.js';
import { createTokenAuthenticator, type IdentityService } from '../identity/index.js';
import { accessControl, type AdminCallEntry } from './access.js';
import { jsonDepthGuard } from './json-depth-guard.js';
import { ApiErrorCodes } from './errors.js';
import { actorOf, refuseActorHeader } from './identity-context.js';
import { createUsersRoutes } from './users-routes.js';
import { createOpenApiDocument } from './openapi.js';
import type { AdminServices } from './services.js';

export const CreateKeyBody = z
  .object({
    principal: z.string().min(1).max(200),
    description: z.string().max(1000).optional(),
    models: z.array(z.string().min(1).max(128)).max(1000).optional(),
    ratePerSecond: z.number().positive().max(1e6).optional(),
    burst: z.number().int().positive().max(1e7).optional(),
  })
  .strict();

export const ApplyActionBody = z
  .object({ action: ContainmentActionSchema, reason: z.string().min(1).max(2000) })
  .strict();

// Items are checked one by one by the performance monitor, which counts the malformed ones.
export const FeedbackBody = z.object({ items: z.array(z.unknown()).min(1).max(10_000) }).strict();

const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * The admin REST API under /api/v1 (bearer token), plus /healthz and /metrics without auth.
 * The token names the acting identity (the admin token is the bootstrap admin; users and
 * service accounts when `identities` is given) and its role decides what it may call.
 * Errors look like `{ error, code, message, statusCode, details? }`; unknown errors become a
 * 500 that names the request id and nothing else.
 */
export function createAdminApi(options: {
  services: AdminServices;
  /** The bootstrap admin token. */
  token: string;
  /** Users and service accounts; without it only the admin token is accepted. */
  identities?: IdentityService;
  /** Where every state-changing call is recorded with its identity (the audit ledger). */
  audit?: (entry: AdminCallEntry) => Promise<void>;
  onError?: (error: unknown, requestId: string) => void;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (else 401). */
  metricsToken?: string;
  /** More routes behind the same auth and error mapping (e.g. `createRespondRoutes`). */
  routes?: readonly ((actor: (c: Context) => string) => Hono)[];
}) {
  const { services } = options;
  const app = new Hono();

  // Truthful health (issue 14, finding 10): 503 when the ledger or store cannot record durably.
  const health = async (c: Context) => {
    const report = (await services.health?.()) ?? { status: 'ok', ready: true, checks: {} };
    return c.json({ ...(await services.status()), ...report }, report.ready ? 200 : 503);
  };
  app.get('/healthz', health);
  app.get('/readyz', health);
  const metricsToken = options.metricsToken ? Buffer.from(options.metricsToken) : undefined;
  app.get('/metrics', async (c) => {
    if (metricsToken && !bearerMatches(c.req.header('authorization'), metricsToken))
      return c.json(
        errorBody(
          ApiErrorCodes.API_UNAUTHORIZED,
          'send the metrics token as "Authorization: Bearer <token>"',
          401,
        ),
        401,
      );
    const { contentType, body } = await services.metrics();
    return new Response(body, { headers: { 'content-type': contentType } });
  });

  const limit = bodyLimit({
    maxSize: 1_048_576,
    onError: () => {
      throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'the body is larger than 1 MiB', {
        status: 413,
      });
    },
  });
  // The model-file upload (intake-routes.ts) reads its larger body under its own limit.
  app.use('/api/*', (c, next) =>
    c.req.method === 'POST' &&
    (/^\/api\/v1\/registry\/models\/[^/]+\/artifacts$/.test(c.req.path) ||
      /^\/api\/v1\/incidents\/[^/]+\/evidence$/.test(c.req.path)) // evidence-routes.ts
      ? next()
      : limit(c, next),
  );
  app.use(
    '/api/*',
    accessControl({
      authenticator: options.identities ?? createTokenAuthenticator(options.token),
      ...(options.audit ? { audit: options.audit } : {}),
      onAuditError: (e) => options.onError?.(e, 'audit'),
    }),
  );
  app.use('/api/*', refuseActorHeader);
  app.use('/api/*', jsonDepthGuard);

  const actor = actorOf;
  app.route('/', createUsersRoutes(options.identities));
  // Read from the route table at request time, so routes mounted later are in it too.
  app.get('/api/v1/openapi.json', (c) => c.json(createOpenApiDocument(app.routes)));

  app.post('/api/v1/keys', async (c) => {
    const body = parse(CreateKeyBody, await readJson(c));
    const created = await services.keys.create(body, actor(c));
    return c.json(created, created.pending ? 202 : 201); // 202: stored, gateways get it once the bus is back
  });
  app.get('/api/v1/keys', async (c) => c.json({ keys: await services.keys.list() }));
  app.get('/api/v1/keys/:id', async (c) => {
    const key = await services.keys.get(c.req.param('id'));
    if (!key) throw new AppError('NOT_FOUND', `no key ${c.req.param('id')}`, { status: 404 });
    return c.json(key);
  });

  app.get('/api/v1/actions', async (c) =>
    c.json({ actions: await services.actions.list({ active: c.req.query('active') === 'true' }) }),
  );
  app.post('/api/v1/actions', async (c) => {
    const body = parse(ApplyActionBody, await readJson(c));
    const applied = await services.actions.apply(body.action, body.reason, actor(c));
    return c.json(applied, applied.pending ? 202 : 201); // 202: stored, re-published until the bus takes it
  });
  app.post('/api/v1/actions/:id/lift', async (c) => {
    const result = await services.actions.lift(c.req.param('id'), actor(c));
    if (result.status === 'not_found')
      throw new AppError('NOT_FOUND', `no action ${c.req.param('id')}`, { status: 404 });
    return c.json(result, result.pending ? 202 : 200);
  });

  const stream = (c: Context) => {
    const name = c.req.param('stream') ?? '';
    if (!services.ledger.streams().includes(name))
      throw new AppError('NOT_FOUND', `no ledger stream "${name.slice(0, 64)}"`, { status: 404 });
    return name;
  };
  app.get('/api/v1/ledger/public-key', (c) => c.json(services.ledger.publicKey()));
  app.get('/api/v1/ledger/:stream/checkpoint', async (c) =>
    c.json(await services.ledger.checkpoint(stream(c))),
  );
  app.get('/api/v1/ledger/:stream/entries', async (c) => {
    const from = parse(Int(0, Number.MAX_SAFE_INTEGER), c.req.query('from') ?? '0', 'from');
    const limit = parse(Int(1, 10_000), c.req.query('limit') ?? '100', 'limit');
    return c.json({ entries: await services.ledger.entries(stream(c), from, limit) });
  });
  app.get('/api/v1/ledger/:stream/proof/inclusion', async (c) => {
    const seq = parse(Int(0, Number.MAX_SAFE_INTEGER), c.req.query('seq'), 'seq');
    const size =
      c.req.query('size') === undefined
        ? undefined
        : parse(Int(1, Number.MAX_SAFE_INTEGER), c.req.query('size'), 'size');
    return c.json(await services.ledger.inclusionProof(stream(c), seq, size));
  });
  app.get('/api/v1/ledger/:stream/proof/consistency', async (c) => {
    const from = parse(Int(1, Number.MAX_SAFE_INTEGER), c.req.query('from'), 'from');
    const to =
      c.req.query('to') === undefined
        ? undefined
        : parse(Int(1, Number.MAX_SAFE_INTEGER), c.req.query('to'), 'to');
    return c.json(await services.ledger.consistencyProof(stream(c), from, to));
  });
  app.post('/api/v1/ledger/:stream/verify', async (c) =>
    c.json(await services.ledger.verify(stream(c))),
  );

  app.get('/api/v1/detectors', (c) => c.json({ detectors: services.detection.detectors() }));
  app.get('/api/v1/alerts', (c) => {
    const limit = parse(Int(1, 1000), c.req.query('limit') ?? '100', 'limit');
    return c.json({
      alerts: services.detection.alerts(dropUndefined({ limit, model: c.req.query('model') })),
    });
  });
  app.post('/api/v1/feedback', async (c) => {
    const body = parse(FeedbackBody, await readJson(c));
    return c.json(services.detection.feedback(body.items));
  });
  app.get('/api/v1/performance', (c) =>
    c.json({ windows: services.detection.performance(c.req.query('model')) }),
  );
  app.get('/api/v1/drift/:model', (c) =>
    c.json({ windows: services.detection.drift(c.req.param('model')) }),
  );

  for (const routes of options.routes ?? []) app.route('/', routes(actor));

  app.notFound((c) =>
    c.json(
      errorBody(
        ApiErrorCodes.API_ROUTE_UNKNOWN,
        `no route ${c.req.method} ${c.req.path.slice(0, 100)}`,
        404,
      ),
      404,
    ),
  );
  app.onError((error, c) => {
    if (isAppError(error) && error.status < 500) {
      return c.json(
        errorBody(error.code, error.message, error.status, error.details),
        error.status as 400,
      );
    }
    const requestId = c.req.header('x-request-id')?.slice(0, 64) ?? `req-${Date.now()}`;
    options.onError?.(error, requestId);
    const code = isAppError(error) ? error.code : 'INTERNAL';
    const status = isAppError(error) ? error.status : 500;
    // An AppError's message is written for people and carries no stack: the client gets it.
    const message = isAppError(error)
      ? `${error.message} (request ${requestId})`
      : `internal error (request ${requestId}); the cause is in the server log`;
    return c.json(errorBody(code, message, status), status as 500);
  });
  return app;
}

async function readJson(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'content-type must be application/json', {
      status: 415,
    });
  }
  try {
    return await c.req.json();
  } catch (error) {
    throw new AppError(
      ApiErrorCodes.API_BODY_INVALID,
      `the body is not valid JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, name = 'body'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${[name, ...i.path].join('.')}: ${i.message}`);
  throw new AppError('VALIDATION_FAILED', problems.join('; '), { status: 400, details: problems });
}

function errorBody(code: string, message: string, statusCode: number, details?: unknown) {
  const error =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      415: 'Unsupported Media Type',
    }[statusCode] ?? 'Error';
  return { error, code, message, statusCode, ...(details === undefined ? {} : { details }) };
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// Constant-time comparison, as for the admin token: no timing oracle on the secret.
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
