import { serveError } from './errors.js';

export const ROUTE_KINDS = [
  'health',
  'server-metadata',
  'kserve-metadata',
  'kserve-ready',
  'kserve-infer',
  'tf-status',
  'tf-predict',
  'generic',
] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export interface Route {
  kind: RouteKind;
  model: string | undefined;
  version: string | undefined;
}

const NAME = '([^/:]+)';
const VERSIONED = `/models/${NAME}(?:/versions/${NAME})?`;
const TABLE: { kind: RouteKind; method: 'GET' | 'POST'; pattern: RegExp }[] = [
  { kind: 'health', method: 'GET', pattern: /^\/v2\/health\/(?:live|ready)$/ },
  { kind: 'server-metadata', method: 'GET', pattern: /^\/v2\/?$/ },
  { kind: 'kserve-metadata', method: 'GET', pattern: new RegExp(`^/v2${VERSIONED}$`) },
  { kind: 'kserve-ready', method: 'GET', pattern: new RegExp(`^/v2${VERSIONED}/ready$`) },
  { kind: 'kserve-infer', method: 'POST', pattern: new RegExp(`^/v2${VERSIONED}/infer$`) },
  { kind: 'tf-status', method: 'GET', pattern: new RegExp(`^/v1${VERSIONED}$`) },
  { kind: 'tf-predict', method: 'POST', pattern: new RegExp(`^/v1${VERSIONED}:predict$`) },
  { kind: 'generic', method: 'POST', pattern: new RegExp(`^/generic/${NAME}$`) },
];

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw serveError(
      'SERVE_ROUTE_NOT_FOUND',
      `malformed percent-encoding in ${JSON.stringify(segment)}`,
    );
  }
}

/** Maps a method and path to a route; 404 when no path matches, 405 when only the method is wrong. */
export function matchRoute(method: string, pathname: string): Route {
  const allowed: string[] = [];
  for (const entry of TABLE) {
    const match = entry.pattern.exec(pathname);
    if (!match) continue;
    if (entry.method !== method) {
      allowed.push(entry.method);
      continue;
    }
    return { kind: entry.kind, model: decode(match[1]), version: decode(match[2]) };
  }
  if (allowed.length > 0) {
    throw serveError(
      'SERVE_METHOD_NOT_ALLOWED',
      `${method} is not allowed on ${pathname}; use ${allowed.join(' or ')}`,
      {
        details: { allow: allowed },
      },
    );
  }
  throw serveError('SERVE_ROUTE_NOT_FOUND', `no route for ${method} ${pathname}`);
}
