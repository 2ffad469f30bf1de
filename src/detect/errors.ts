import { AppError } from '../core/index.js';

/** Error codes of the detect module (documented in docs/errors.md). */
export const DetectErrorCodes = {
  DETECT_TABLE_INVALID: 'DETECT_TABLE_INVALID',
  DETECT_FORMAT_UNSUPPORTED: 'DETECT_FORMAT_UNSUPPORTED',
  DETECT_BASELINE_INVALID: 'DETECT_BASELINE_INVALID',
  DETECT_OPTIONS_INVALID: 'DETECT_OPTIONS_INVALID',
  DETECT_CHECKPOINT_INVALID: 'DETECT_CHECKPOINT_INVALID',
  DETECT_EVENT_INVALID: 'DETECT_EVENT_INVALID',
  DETECT_COLUMN_MISSING: 'DETECT_COLUMN_MISSING',
} as const;
export type DetectErrorCode = (typeof DetectErrorCodes)[keyof typeof DetectErrorCodes];

/** A detect-module failure: bad input data (400) unless said otherwise. */
export function detectError(
  code: DetectErrorCode,
  message: string,
  details?: unknown,
  status = 400,
): AppError {
  return new AppError(code, message, { status, details });
}
