import type { GatewayProtocol } from '../core/index.js';

export interface InferenceRoute {
  kind: 'inference';
  protocol: GatewayProtocol;
  model: string;
  version: string | null;
}

export type Route =
  InferenceRoute | { kind: 'health'; probe: 'live' | 'ready' } | { kind: 'unknown' };

const KSERVE = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/;
const TF = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?:predict$/;
const GENERIC = /^\/generic\/([^/]+)$/;

/** Maps a request path (no query) to the protocol and model it addresses. */
export function matchRoute(path: string): Route {
  if (path === '/v2/health/live') return { kind: 'health', probe: 'live' };
  if (path === '/v2/health/ready' || path === '/healthz' || path === '/readyz')
    return { kind: 'health', probe: 'ready' };
  let m = KSERVE.exec(path);
  if (m) return inference('kserve-v2', m[1]!, m[2]);
  m = TF.exec(path);
  if (m) return inference('tf-serving', m[1]!, m[2]);
  m = GENERIC.exec(path);
  if (m) return inference('generic-json', m[1]!, undefined);
  return { kind: 'unknown' };
}

function inference(protocol: GatewayProtocol, model: string, version: string | undefined): Route {
  let decodedModel: string;
  let decodedVersion: string | null = null;
  try {
    decodedModel = decodeURIComponent(model);
    if (version !== undefined) decodedVersion = decodeURIComponent(version);
  } catch {
    return { kind: 'unknown' };
  }
  return { kind: 'inference', protocol, model: decodedModel, version: decodedVersion };
}
