import type { Context } from 'hono';
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
