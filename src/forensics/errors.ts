import { errorFactory } from '../core/index.js';

export const ForensicsErrorCodes = {
  FORENSICS_FILTER_INVALID: 'FORENSICS_FILTER_INVALID',
  FORENSICS_MODEL_UNKNOWN: 'FORENSICS_MODEL_UNKNOWN',
  FORENSICS_VERSION_UNSERVABLE: 'FORENSICS_VERSION_UNSERVABLE',
  FORENSICS_SUBJECT_INVALID: 'FORENSICS_SUBJECT_INVALID',
  FORENSICS_BUNDLE_INVALID: 'FORENSICS_BUNDLE_INVALID',
} as const;
export type ForensicsErrorCode = (typeof ForensicsErrorCodes)[keyof typeof ForensicsErrorCodes];

const STATUS: Record<ForensicsErrorCode, number> = {
  FORENSICS_FILTER_INVALID: 400,
  FORENSICS_MODEL_UNKNOWN: 404,
  FORENSICS_VERSION_UNSERVABLE: 409,
  FORENSICS_SUBJECT_INVALID: 400,
  FORENSICS_BUNDLE_INVALID: 422,
};

/** An AppError with a forensics code and the HTTP status that code maps to. */
export const forensicsError = errorFactory<ForensicsErrorCode>(STATUS);
