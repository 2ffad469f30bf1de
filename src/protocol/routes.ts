import type { GatewayProtocol } from '../core/index.js';

/** Where a request goes, by method and path: one table for the gateway and the model server. */
export type ProtocolRoute =
  | { kind: 'health'; probe: 'live' | 'ready' }
  | { kind: 'server-metadata' }
  | ModelRoute<'model-metadata'>
  | ModelRoute<'model-ready'>
  | ModelRoute<'infer'>
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'unknown'; reason?: string };

export type ModelRouteKind = 'model-metadata' | 'model-ready' | 'infer';

/** A route that addresses one model (and perhaps one version) in one protocol. */
export interface ModelRoute<K extends ModelRouteKind = ModelRouteKind> {
  kind: K;
  protocol: GatewayProtocol;
  model: string;
  version: string | null;
}

export type InferRoute = ModelRoute<'infer'>;

const NAME = '([^/:]+)';
const VERSIONED = `/models/${NAME}(?:/versions/${NAME})?`;
type Entry = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  route: (m: RegExpExecArray) => ProtocolRoute | null;
};
const model =
  (kind: ModelRouteKind, protocol: GatewayProtocol) =>
  (m: RegExpExecArray): ProtocolRoute | null =>
    modelRoute(kind, protocol, m[1], m[2]);

// KServe V2 / Open Inference Protocol REST paths
// (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/), TF Serving's
// REST API (https://www.tensorflow.org/tfx/serving/api_rest) and aisoc's generic JSON route.
const TABLE: readonly Entry[] = [
  { method: 'GET', pattern: /^\/v2\/health\/live$/, route: () => health('live') },
  {
    method: 'GET',
    pattern: /^\/(?:v2\/health\/ready|healthz|readyz)$/,
    route: () => health('ready'),
  },
  { method: 'GET', pattern: /^\/v2\/?$/, route: () => ({ kind: 'server-metadata' }) },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2${VERSIONED}$`),
    route: model('model-metadata', 'kserve-v2'),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2${VERSIONED}/ready$`),
    route: model('model-ready', 'kserve-v2'),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v2${VERSIONED}/infer$`),
    route: model('infer', 'kserve-v2'),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1${VERSIONED}$`),
    route: model('model-metadata', 'tf-serving'),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1${VERSIONED}:predict$`),
    route: model('infer', 'tf-serving'),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/generic/${NAME}$`),
    route: model('infer', 'generic-json'),
  },
];

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

function health(probe: 'live' | 'ready'): ProtocolRoute {
  return { kind: 'health', probe };
}

function modelRoute(
  kind: ModelRouteKind,
  protocol: GatewayProtocol,
  rawModel: string | undefined,
  rawVersion: string | undefined,
): ProtocolRoute | null {
  try {
    const version = rawVersion === undefined ? null : decodeURIComponent(rawVersion);
    return { kind, protocol, model: decodeURIComponent(rawModel!), version } as ProtocolRoute;
  } catch {
    const bad = [rawModel, rawVersion].find((x) => x !== undefined && !decodes(x));
    return { kind: 'unknown', reason: `malformed percent-encoding in ${JSON.stringify(bad)}` };
  }
}

/**
 * Maps a method and a path (no query) to a route. A path of the table with another method is
 * `method-not-allowed` (with the methods that are), any other path `unknown`.
 */
export function matchRoute(method: string, path: string): ProtocolRoute {
  const allow: string[] = [];
  for (const entry of TABLE) {
    const match = entry.pattern.exec(path);
    if (!match) continue;
    // HEAD is GET without a body (RFC 9110 §9.3.2); Node's server drops the body itself.
    if (entry.method !== method && !(entry.method === 'GET' && method === 'HEAD')) {
      allow.push(entry.method);
      continue;
    }
    return entry.route(match) ?? { kind: 'unknown' };
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'unknown' };
}

/** The inference path of a model in a protocol, as an upstream server of that protocol expects. */
export function inferPath(
  protocol: GatewayProtocol,
  model: string,
  version: string | null,
): string {
  const m = encodeURIComponent(model);
  const v = version === null ? '' : `/versions/${encodeURIComponent(version)}`;
  if (protocol === 'kserve-v2') return `/v2/models/${m}${v}/infer`;
  if (protocol === 'tf-serving') return `/v1/models/${m}${v}:predict`;
  return `/generic/${m}`;
}
