import { z } from 'zod';
import { ApplyActionBody, CreateKeyBody, FeedbackBody } from './admin-api.js';
import { BundleBody } from './evidence-routes.js';
import { RESPOND_BODIES } from './respond-routes.js';
import { permissionFor } from './route-permissions.js';
import { AddUserBody } from './users-routes.js';
import { ConsoleBodies } from './console-routes.js';
import { CaseBodies } from './case-routes.js';

/** What the document says about one route beyond its method, path and permission. */
interface RouteDoc {
  summary?: string;
  body?: z.ZodType;
  query?: Readonly<Record<string, z.ZodType>>;
  /** Media type of a non-JSON answer (report downloads, event streams). */
  produces?: string;
}

const str = z.string();
const limit = z.coerce.number().int().min(1).max(10_000);
const EVENT_QUERY = {
  model: str,
  version: str,
  principal: str,
  key: str,
  source: str,
  from: str.describe('ISO 8601 time, inclusive'),
  to: str.describe('ISO 8601 time, exclusive'),
  status: str.describe('HTTP status or class such as 4xx'),
  outcome: str,
  afterSeq: z.coerce.number().int().min(0),
  order: z.enum(['asc', 'desc']),
  limit,
  incident: str,
  format: z.enum(['json', 'jsonl', 'csv']),
};

/** Bodies, queries and summaries, keyed by `METHOD path` as in ROUTE_PERMISSIONS. */
// Built on first use: admin-api.ts imports this module and defines some of these schemas.
let docs: Readonly<Record<string, RouteDoc>> | undefined;
const routeDocs = (): Readonly<Record<string, RouteDoc>> =>
  (docs ??= {
    'GET /api/v1/openapi.json': { summary: 'This OpenAPI 3.1 document' },
    'GET /api/v1/whoami': { summary: 'The calling identity, its role and permissions' },
    'POST /api/v1/users': { summary: 'Add a user or service account', body: AddUserBody },
    'POST /api/v1/keys': { summary: 'Create an API key for the gateway', body: CreateKeyBody },
    'GET /api/v1/keys': { summary: 'List API keys (never their secrets)' },
    'GET /api/v1/actions': {
      summary: 'List containment actions',
      query: { active: z.enum(['true', 'false']) },
    },
    'POST /api/v1/actions': { summary: 'Apply a containment action', body: ApplyActionBody },
    'POST /api/v1/actions/:id/lift': { summary: 'Lift a containment action' },
    'POST /api/v1/ledger/:stream/verify': { summary: 'Verify a ledger stream now' },
    'GET /api/v1/ledger/:stream/entries': {
      query: { from: z.coerce.number().int().min(0), limit },
    },
    'GET /api/v1/events': { summary: 'Search inference events', query: EVENT_QUERY },
    'GET /api/v1/alerts': { summary: 'Recent alerts', query: { limit, model: str } },
    'POST /api/v1/feedback': {
      summary: 'Ground-truth labels for served requests',
      body: FeedbackBody,
    },
    'GET /api/v1/performance': { query: { model: str } },
    'GET /api/v1/drift/:model': { summary: 'Recent drift windows of a model, per feature' },
    'GET /api/v1/incidents': {
      summary: 'List incidents',
      query: { open: z.enum(['true', 'false']), limit },
    },
    'GET /api/v1/incidents/metrics': { summary: 'MTTD, time to contain, false-positive rate' },
    'GET /api/v1/incidents/:id': { summary: 'An incident with its alerts, timeline and tasks' },
    'POST /api/v1/incidents/:id/assign': { body: RESPOND_BODIES.assign },
    'POST /api/v1/incidents/:id/notes': { body: RESPOND_BODIES.note },
    'POST /api/v1/incidents/:id/severity': { body: RESPOND_BODIES.severity },
    'POST /api/v1/incidents/:id/phase': { body: RESPOND_BODIES.phase },
    'POST /api/v1/incidents/:id/merge': { body: RESPOND_BODIES.merge },
    'POST /api/v1/incidents/:id/split': { body: RESPOND_BODIES.split },
    'POST /api/v1/incidents/:id/dispose': {
      summary: 'Close an incident, as a false positive or not',
      body: RESPOND_BODIES.dispose,
    },
    'POST /api/v1/approvals/:id': { summary: 'Approve or reject', body: RESPOND_BODIES.approval },
    'GET /api/v1/approvals': { query: { status: str } },
    'POST /api/v1/playbooks/validate': { body: RESPOND_BODIES.validate },
    'POST /api/v1/playbooks/:id/run': { body: RESPOND_BODIES.run },
    'POST /api/v1/incidents/:id/evidence/bundle': { body: BundleBody },
    'GET /api/v1/incidents/:id/report': {
      summary: 'The post-incident review',
      query: { format: z.enum(['md', 'html', 'json']) },
      produces: 'text/markdown',
    },
    'GET /api/v1/live': {
      summary: 'Server-sent events: incidents, alerts and actions as they happen',
      produces: 'text/event-stream',
    },
    'GET /api/v1/registry/models/:model/versions/:version/file': {
      summary: 'Download one registered model file (audited; SHA-256 in x-aisoc-sha256)',
      query: { path: str.describe("the file's manifest path; '.' for a single-file model") },
      produces: 'application/octet-stream',
    },
    'POST /api/v1/registry/access-log': {
      summary: 'Ingest object-store access log lines (S3 server access logs) into the audit ledger',
      body: z.object({ format: z.literal('s3'), text: str }),
    },
    'GET /api/v1/console/overview': { summary: 'What the console overview shows, in one answer' },
    'POST /api/v1/drills': { summary: 'Run a drill against this aisoc', body: ConsoleBodies.drill },
    'GET /api/v1/drills': { summary: 'Past drill scorecards and running drills' },
    'POST /api/v1/incidents/:id/impact': {
      summary: "Re-score the incident's decisions on the known-good version; attach the result",
      body: CaseBodies.impact,
    },
    'GET /api/v1/incidents/:id/custody': {
      summary: 'Custody history of each evidence item, from the audit ledger',
    },
  });

const ErrorBody = {
  type: 'object',
  required: ['error', 'code', 'message', 'statusCode'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    statusCode: { type: 'integer' },
    details: {},
  },
} as const;

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

function operation(method: string, path: string) {
  const key = `${method} ${path}`;
  const doc = routeDocs()[key] ?? {};
  const params = [...path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = Object.entries(doc.query ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: jsonSchema(schema),
  }));
  const ok = doc.produces
    ? { content: { [doc.produces]: { schema: { type: 'string' } } } }
    : { content: { 'application/json': { schema: { type: 'object' } } } };
  return {
    operationId: `${method.toLowerCase()}${path
      .replace(/^\/api\/v1/, '')
      .replace(/:(\w+)/g, 'By-$1')
      .split(/[/._-]/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('')}`,
    summary: doc.summary ?? key,
    tags: [path.split('/')[3] ?? 'api'],
    'x-aisoc-permission': permissionFor(method, path) ?? 'admin',
    ...(params.length + query.length ? { parameters: [...params, ...query] } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(doc.body) } },
          },
        }
      : {}),
    responses: {
      '200': { description: 'OK', ...ok },
      default: {
        description: 'An error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the admin API, built from the routes as mounted (so a route
 * cannot be missing) and the zod schemas their handlers parse bodies and queries with.
 */
export function createOpenApiDocument(routes: readonly { method: string; path: string }[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  for (const { method, path } of routes) {
    if (method === 'ALL' || !path.startsWith('/api/') || seen.has(`${method} ${path}`)) continue;
    seen.add(`${method} ${path}`);
    const openPath = path.replace(/:(\w+)/g, '{$1}');
    (paths[openPath] ??= {})[method.toLowerCase()] = operation(method, path);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'aisoc admin API',
      version: '1',
      description:
        'Bearer token auth (admin, user or service token). Each operation names the permission it needs in x-aisoc-permission.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ErrorBody },
    },
    paths,
  };
}
