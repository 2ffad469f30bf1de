import { AppError } from '../../core/index.js';

/** Stable codes for the extraction and evasion detectors. */
export const ExtractionErrorCodes = {
  SHAPIRO_SAMPLE_SIZE: 'EXTRACTION_SHAPIRO_SAMPLE_SIZE',
  SHAPIRO_NOT_FINITE: 'EXTRACTION_SHAPIRO_NOT_FINITE',
  OPTIONS_INVALID: 'EXTRACTION_OPTIONS_INVALID',
  BASELINE_INVALID: 'EXTRACTION_BASELINE_INVALID',
  STATE_INVALID: 'EXTRACTION_STATE_INVALID',
} as const;
export type ExtractionErrorCode = (typeof ExtractionErrorCodes)[keyof typeof ExtractionErrorCodes];

export function extractionError(
  code: ExtractionErrorCode,
  message: string,
  details?: unknown,
): AppError {
  return new AppError(code, message, { status: 400, details });
}
