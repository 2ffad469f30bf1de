import { AppError } from '../core/index.js';

/**
 * Protocol error codes and their HTTP status (documented in docs/errors.md). The gateway and the
 * model server turn them into their own codes at their boundary (GATEWAY_…, SERVE_…), so a
 * client sees the same codes as before the two shared this module.
 */
export const ProtocolErrors = {
  PROTOCOL_INPUT_INVALID: 400,
  PROTOCOL_JSON_INVALID: 400,
  PROTOCOL_CONTENT_TYPE_UNSUPPORTED: 415,
  PROTOCOL_BODY_TOO_LARGE: 413,
  PROTOCOL_BODY_TIMEOUT: 408,
} as const;

export type ProtocolErrorCode = keyof typeof ProtocolErrors;

export function protocolError(code: ProtocolErrorCode, message: string): AppError {
  return new AppError(code, message, { status: ProtocolErrors[code] });
}

export function invalidInput(message: string): AppError {
  return protocolError('PROTOCOL_INPUT_INVALID', message);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
