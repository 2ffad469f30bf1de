/** Gateway error codes and the HTTP status each one maps to. */
export const GatewayErrors = {
  GATEWAY_ROUTE_UNKNOWN: 404,
  GATEWAY_MODEL_UNKNOWN: 404,
  GATEWAY_METHOD_NOT_ALLOWED: 405,
  GATEWAY_UNSUPPORTED_MEDIA_TYPE: 415,
  GATEWAY_KEY_MISSING: 401,
  GATEWAY_KEY_INVALID: 401,
  GATEWAY_KEY_SUSPENDED: 403,
  GATEWAY_KEY_REVOKED: 403,
  GATEWAY_MODEL_FORBIDDEN: 403,
  GATEWAY_INPUT_BLOCKED: 403,
  GATEWAY_DETECTION_BLOCKED: 403,
  GATEWAY_MODEL_ISOLATED: 503,
  GATEWAY_RATE_LIMITED: 429,
  GATEWAY_SOURCE_LIMITED: 429,
  GATEWAY_BODY_TOO_LARGE: 413,
  GATEWAY_BODY_TIMEOUT: 408,
  GATEWAY_BODY_INVALID_JSON: 400,
  GATEWAY_BODY_TOO_DEEP: 400,
  GATEWAY_INPUT_INVALID: 400,
  GATEWAY_UPSTREAM_UNREACHABLE: 502,
  GATEWAY_UPSTREAM_TIMEOUT: 504,
  GATEWAY_UPSTREAM_INVALID_RESPONSE: 502,
  GATEWAY_MODEL_FAILED: 500,
  GATEWAY_LEDGER_BACKPRESSURE: 503,
  GATEWAY_LEDGER_UNAVAILABLE: 503,
  GATEWAY_INTERNAL: 500,
} as const;

export type GatewayErrorCode = keyof typeof GatewayErrors;

/** A request the gateway refuses or cannot serve; becomes `{ error, code, message, statusCode }`. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: GatewayErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.status = GatewayErrors[code];
    this.details = details;
  }
}
