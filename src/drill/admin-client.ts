import { DrillErrorCodes, drillError } from './errors.js';

/** The few admin API calls a drill makes (bearer token), as plain JSON over HTTP. */
export interface DrillAdmin {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** Any call, whatever it answers: status and parsed JSON (null when not JSON). */
  request(
    method: string,
    path: string,
    body?: { type: string; data: string | Uint8Array },
  ): Promise<{ status: number; json: unknown }>;
  /** GET whose answer is not JSON (a report, evidence content); non-2xx is DRILL_HTTP_FAILED. */
  bytes(path: string): Promise<Uint8Array>;
}

/** The admin API as whoever holds `token`: what the drill does is attributed to that identity. */
export function createDrillAdmin(adminUrl: string, token: string): DrillAdmin {
  const base = adminUrl.replace(/\/$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    }).catch((cause: unknown) => {
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `${method} ${base}${path}: ${String(cause)}`,
      );
    });
    const text = await res.text();
    if (res.status >= 300)
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `${method} ${path}: ${res.status} ${text.slice(0, 300)}`,
      );
    try {
      return JSON.parse(text) as T;
    } catch {
      throw drillError(DrillErrorCodes.DRILL_RESPONSE_INVALID, `${method} ${path}: not JSON`);
    }
  };
  const request: DrillAdmin['request'] = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': body.type } : {}),
      },
      ...(body ? { body: body.data } : {}),
      signal: AbortSignal.timeout(30_000),
    }).catch((cause: unknown) => {
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `${method} ${base}${path}: ${String(cause)}`,
      );
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: json stays null
    }
    return { status: res.status, json };
  };
  const bytes = async (path: string): Promise<Uint8Array> => {
    const res = await fetch(base + path, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    }).catch((cause: unknown) => {
      throw drillError(DrillErrorCodes.DRILL_HTTP_FAILED, `GET ${base}${path}: ${String(cause)}`);
    });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status >= 300)
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `GET ${path}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`,
      );
    return body;
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), request, bytes };
}

/**
 * A throw-away service account (`POST /api/v1/users`) that the drill acts as, so that what
 * it does is recorded under its own name; returns its token. Revoke it with `revokeDrillIdentity`.
 */
export async function createDrillIdentity(
  admin: DrillAdmin,
  name: string,
  role: 'responder' | 'admin',
): Promise<string> {
  const created = await admin.post<{ token?: unknown }>('/api/v1/users', {
    name,
    role,
    service: true,
  });
  if (typeof created.token !== 'string')
    throw drillError(DrillErrorCodes.DRILL_RESPONSE_INVALID, 'POST /api/v1/users: no token');
  return created.token;
}

export async function revokeDrillIdentity(admin: DrillAdmin, name: string): Promise<void> {
  await admin.post(`/api/v1/users/${encodeURIComponent(name)}/revoke`, {});
}

/** Creates an API key for `principal` on `model`; returns its secret. */
export async function createDrillKey(
  admin: DrillAdmin,
  principal: string,
  model: string,
): Promise<string> {
  return (await createDrillKeyWithId(admin, principal, model)).secret;
}

/** A throw-away key and its id (the id names it in alerts, runs and containment actions). */
export async function createDrillKeyWithId(
  admin: DrillAdmin,
  principal: string,
  model: string,
): Promise<{ id: string; secret: string }> {
  const created = await admin.post<{ secret?: unknown; key?: { id?: unknown } }>('/api/v1/keys', {
    principal,
    description: 'aisoc drill (throw-away)',
    models: [model],
  });
  if (typeof created.secret !== 'string' || typeof created.key?.id !== 'string')
    throw drillError(
      DrillErrorCodes.DRILL_RESPONSE_INVALID,
      'POST /api/v1/keys: no secret or key id',
    );
  return { id: created.key.id, secret: created.secret };
}

/** A short id that keeps one drill's principals apart from every other run's. */
export function newDrillRun(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** `count` benign principals of a drill run (`drill-<scenario>-benign<k>-<run>`) → their keys. */
export async function createBenignKeys(
  admin: DrillAdmin,
  o: { scenario: string; run: string; model: string; count: number },
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (let k = 0; k < o.count; k += 1) {
    const principal = `drill-${o.scenario}-benign${k}-${o.run}`;
    keys.set(principal, await createDrillKey(admin, principal, o.model));
  }
  return keys;
}
