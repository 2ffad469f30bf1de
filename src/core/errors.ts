/** A failure with a stable code. `status` is the HTTP status the API maps it to. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }
}

/**
 * A module's error factory: each of its codes maps to the HTTP status the API answers with,
 * so a module declares its table once and never writes `new AppError` by hand.
 */
export function errorFactory<C extends string>(status: Readonly<Record<C, number>>) {
  return (code: C, message: string, options: { details?: unknown; cause?: unknown } = {}) =>
    new AppError(code, message, { ...options, status: status[code] });
}

/** Codes that belong to no single module. Each module keeps its own in its `errors.ts`. */
export const CoreErrorCodes = {
  INTERNAL: 'INTERNAL',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  CANONICAL_JSON_INVALID: 'CANONICAL_JSON_INVALID',
  DECOY_WATERMARK_INVALID: 'DECOY_WATERMARK_INVALID',
} as const;

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turns any thrown value into an AppError, keeping the original as `cause`. */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError(CoreErrorCodes.INTERNAL, message, { cause: value });
}
