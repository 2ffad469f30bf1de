import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../core/index.js';
import {
  hasPermission,
  identityError,
  IdentityErrorCodes,
  type Identity,
} from '../identity/index.js';
import { ApiErrorCodes } from './errors.js';
import { permissionFor } from './route-permissions.js';

/** Turns a bearer token into an identity; undefined when the token is unknown or revoked. */
export interface Authenticator {
  authenticate(token: string): Promise<Identity | undefined>;
}

/** One entry of the audit ledger per admin call that changes state (or was refused). */
export interface AdminCallEntry {
  type: 'api.call';
  actor: string;
  identityKind: Identity['kind'];
  role: Identity['role'];
  method: string;
  route: string | null;
  path: string;
  status: number;
  at: string;
}

export interface AccessOptions {
  authenticator: Authenticator;
  audit?: (entry: AdminCallEntry) => Promise<void>;
  onAuditError?: (error: unknown) => void;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates the bearer token, checks the route's permission against the identity's role
 * (routes missing from ROUTE_PERMISSIONS are for the admin role only) and records every call
 * that changes state, with its identity, in the audit ledger. Headers never name the actor.
 */
export function accessControl(options: AccessOptions): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
    const identity = token ? await options.authenticator.authenticate(token) : undefined;
    if (!identity)
      throw new AppError(
        ApiErrorCodes.API_UNAUTHORIZED,
        'send the admin token or a user token as "Authorization: Bearer <token>"',
        { status: 401 },
      );
    c.set('identity', identity);
    const route = c.req.matchedRoutes.findLast((r) => r.method !== 'ALL');
    if (!route) return next(); // no such route: the 404 follows
    const needed = permissionFor(route.method, route.path);
    const allowed = needed ? hasPermission(identity.role, needed) : identity.role === 'admin';
    // Evidence content and model files are custody events: refused reads are recorded too.
    const audited =
      !READS.has(c.req.method) || needed === 'evidence.read' || needed === 'artifacts.read';
    if (!allowed) {
      if (audited) await record(options, c, identity, route.path, 403);
      throw identityError(
        IdentityErrorCodes.IDENTITY_FORBIDDEN,
        `${identity.name} (role ${identity.role}) may not ${route.method} ${route.path}: it needs ${needed ? `the ${needed} permission` : 'the admin role'}`,
        { details: { role: identity.role, needed: needed ?? 'admin' } },
      );
    }
    await next();
    if (audited) await record(options, c, identity, route.path, c.res.status);
  };
}

async function record(
  options: AccessOptions,
  c: Context,
  identity: Identity,
  route: string,
  status: number,
): Promise<void> {
  if (!options.audit) return;
  try {
    await options.audit({
      type: 'api.call',
      actor: identity.name,
      identityKind: identity.kind,
      role: identity.role,
      method: c.req.method,
      route,
      path: c.req.path.slice(0, 300),
      status,
      at: new Date().toISOString(),
    });
  } catch (error) {
    // The call has already taken effect; a failed audit write is reported, not hidden.
    options.onAuditError?.(error);
  }
}
