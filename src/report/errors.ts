import { errorFactory } from '../core/index.js';

export const ReportErrorCodes = {
  REPORT_FORMAT_INVALID: 'REPORT_FORMAT_INVALID',
  REPORT_PDF_UNAVAILABLE: 'REPORT_PDF_UNAVAILABLE',
  REPORT_SINK_INVALID: 'REPORT_SINK_INVALID',
  REPORT_SINK_UNKNOWN: 'REPORT_SINK_UNKNOWN',
  REPORT_SINK_FAILED: 'REPORT_SINK_FAILED',
} as const;
export type ReportErrorCode = (typeof ReportErrorCodes)[keyof typeof ReportErrorCodes];

const STATUS: Record<ReportErrorCode, number> = {
  REPORT_FORMAT_INVALID: 400,
  REPORT_PDF_UNAVAILABLE: 501,
  REPORT_SINK_INVALID: 400,
  REPORT_SINK_UNKNOWN: 404,
  REPORT_SINK_FAILED: 502,
};

/** An AppError with a report code and the HTTP status that code maps to. */
export const reportError = errorFactory<ReportErrorCode>(STATUS);
