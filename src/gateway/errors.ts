/** Gateway error codes and the HTTP status each one maps to. */
export const GatewayErrors = {
  GATEWAY_ROUTE_UNKNOWN: 404,
  GATEWAY_PROTOCOL_MISMATCH: 404,
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
  GATEWAY_CIRCUIT_OPEN: 503,
  GATEWAY_FORBIDDEN: 403,
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

/**
 * Refusals that come from containment or detection. The client is told only that the request is
 * refused (403 `GATEWAY_FORBIDDEN`) or too many (429 `GATEWAY_RATE_LIMITED`, whatever limit it
 * hit): naming the detector, the alert or the action would tell an attacker it was caught. The
 * event keeps the precise code and the action for the admin view.
 */
const CONCEALED: ReadonlySet<GatewayErrorCode> = new Set([
  'GATEWAY_KEY_SUSPENDED',
  'GATEWAY_KEY_REVOKED',
  'GATEWAY_INPUT_BLOCKED',
  'GATEWAY_DETECTION_BLOCKED',
  'GATEWAY_FORBIDDEN',
]);

/** What the client is told about a refusal: code, message and the details it may see. */
export function publicRefusal(error: GatewayError): {
  code: GatewayErrorCode;
  message: string;
  status: number;
  details?: Record<string, unknown>;
} {
  if (CONCEALED.has(error.code))
    return { code: 'GATEWAY_FORBIDDEN', message: 'the request is not allowed', status: 403 };
  if (error.code === 'GATEWAY_RATE_LIMITED') {
    const wait = error.details?.retryAfterSeconds;
    return {
      code: error.code,
      message: 'too many requests or rows for this key',
      status: 429,
      ...(typeof wait === 'number' ? { details: { retryAfterSeconds: wait } } : {}),
    };
  }
  if (error.code === 'GATEWAY_MODEL_ISOLATED' || error.code === 'GATEWAY_CIRCUIT_OPEN')
    return { code: error.code, message: 'the model is unavailable', status: error.status };
  return {
    code: error.code,
    message: error.message,
    status: error.status,
    ...(error.details ? { details: error.details } : {}),
  };
}
