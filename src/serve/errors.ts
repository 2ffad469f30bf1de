import { AppError } from '../core/index.js';

/** Serve error codes and the HTTP status each maps to (documented in docs/errors.md). */
export const ServeErrors = {
  SERVE_MODEL_UNREADABLE: 500,
  SERVE_MODEL_INVALID: 422,
  SERVE_DIGEST_MISMATCH: 422,
  SERVE_MODEL_CLOSED: 503,
  SERVE_INFERENCE_FAILED: 500,
  SERVE_INPUT_INVALID: 400,
  SERVE_OPTIONS_INVALID: 500,
  SERVE_ROUTE_NOT_FOUND: 404,
  SERVE_MODEL_NOT_FOUND: 404,
  SERVE_METHOD_NOT_ALLOWED: 405,
  SERVE_BODY_TOO_LARGE: 413,
  SERVE_BODY_TIMEOUT: 408,
  SERVE_JSON_INVALID: 400,
  SERVE_CONTENT_TYPE_UNSUPPORTED: 415,
  SERVE_INTERNAL: 500,
} as const;

export type ServeErrorCode = keyof typeof ServeErrors;

export function serveError(
  code: ServeErrorCode,
  message: string,
  options: { details?: unknown; cause?: unknown } = {},
): AppError {
  return new AppError(code, message, { status: ServeErrors[code], ...options });
}
