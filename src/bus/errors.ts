import { AppError, errorFactory } from '../core/index.js';

/** Error codes of the bus module; each one is documented in docs/errors.md. */
export const BusErrorCodes = {
  BUS_UNAVAILABLE: 'BUS_UNAVAILABLE',
  BUS_PUBLISH_FAILED: 'BUS_PUBLISH_FAILED',
  BUS_SUBSCRIBE_FAILED: 'BUS_SUBSCRIBE_FAILED',
  BUS_SUBJECT_INVALID: 'BUS_SUBJECT_INVALID',
  BUS_OPTIONS_INVALID: 'BUS_OPTIONS_INVALID',
  BUS_CLOSED: 'BUS_CLOSED',
  BUS_BACKLOG_OVERFLOW: 'BUS_BACKLOG_OVERFLOW',
  BUS_POLICY_INVALID: 'BUS_POLICY_INVALID',
  BUS_POLICY_STALE: 'BUS_POLICY_STALE',
  BUS_GATEWAY_ID_INVALID: 'BUS_GATEWAY_ID_INVALID',
  BUS_VALUE_INCOMPLETE: 'BUS_VALUE_INCOMPLETE',
} as const;
export type BusErrorCode = (typeof BusErrorCodes)[keyof typeof BusErrorCodes];

const statusOf: Record<BusErrorCode, number> = {
  BUS_UNAVAILABLE: 503,
  BUS_PUBLISH_FAILED: 503,
  BUS_SUBSCRIBE_FAILED: 503,
  BUS_SUBJECT_INVALID: 400,
  BUS_OPTIONS_INVALID: 400,
  BUS_CLOSED: 503,
  BUS_BACKLOG_OVERFLOW: 503,
  BUS_POLICY_INVALID: 400,
  BUS_POLICY_STALE: 409,
  BUS_GATEWAY_ID_INVALID: 400,
  BUS_VALUE_INCOMPLETE: 503,
};

/** Builds an AppError with a bus code and the HTTP status that code maps to. */
export const busError = errorFactory<BusErrorCode>(statusOf);

/**
 * Wraps a foreign error (from the NATS client) as a bus AppError, keeping it as `cause`.
 * An AppError passes through unchanged so codes raised deeper are not masked.
 */
export function wrapForeign(code: BusErrorCode, what: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return busError(code, `${what}: ${reason}`, { cause: error });
}
