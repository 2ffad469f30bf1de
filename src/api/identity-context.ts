import type { Context, Next } from 'hono';
import { AppError } from '../core/index.js';
import type { Identity } from '../identity/index.js';
import { ApiErrorCodes } from './errors.js';

declare module 'hono' {
  interface ContextVariableMap {
    identity: Identity;
  }
}

/** The identity the admin API authenticated for this request (never a header it was sent). */
export function identityOf(c: Context): Identity {
  const identity = c.get('identity');
  if (!identity)
    throw new AppError(ApiErrorCodes.API_UNAUTHORIZED, 'the request was not authenticated', {
      status: 401,
    });
  return identity;
}

/** The name that records (timeline, audit ledger, custody) attribute this request to. */
export const actorOf = (c: Context): string => identityOf(c).name;

/**
 * Refuses a request that names its own actor in `x-aisoc-actor` (issue 14, finding 15): the
 * actor is the identity of the bearer token and nothing else. Earlier versions believed the
 * header; silently ignoring it would let a script think it approves as someone it is not.
 * Runs after authentication, so an unauthenticated caller still gets 401.
 */
export async function refuseActorHeader(c: Context, next: Next): Promise<void> {
  if (c.req.header('x-aisoc-actor') !== undefined)
    throw new AppError(
      ApiErrorCodes.API_ACTOR_HEADER_REFUSED,
      `the x-aisoc-actor header is not accepted: requests act as the identity of their bearer token (here "${actorOf(c)}"); give each person their own token with \`aisoc users add\` and drop the header`,
      { status: 400, details: { header: 'x-aisoc-actor' } },
    );
  await next();
}
