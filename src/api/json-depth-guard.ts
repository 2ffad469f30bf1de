import type { MiddlewareHandler } from 'hono';
import { AppError, jsonDepthExceeds, MAX_JSON_DEPTH } from '../core/index.js';
import { ApiErrorCodes } from './errors.js';

/**
 * Refuses a JSON body nested deeper than MAX_JSON_DEPTH with 400 API_BODY_TOO_DEEP before any
 * route parses it (issue 14, finding 13). Runs after the body limit, so the text it reads is
 * bounded; the routes' `c.req.json()` then parses the cached text.
 */
export const jsonDepthGuard: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'GET' && /^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    if (jsonDepthExceeds(await c.req.text()) !== null)
      throw new AppError(
        ApiErrorCodes.API_BODY_TOO_DEEP,
        `the body nests deeper than ${MAX_JSON_DEPTH} levels`,
        { status: 400, details: { maxDepth: MAX_JSON_DEPTH } },
      );
  }
  await next();
};
