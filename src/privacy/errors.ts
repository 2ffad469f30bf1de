import { errorFactory } from '../core/index.js';

/** Error codes of the privacy module; each is documented in docs/errors.md. */
export const PrivacyErrorCodes = {
  /** A privacy key file (HMAC key or KEK) is missing, malformed or readable by others. */
  PRIVACY_KEY_INVALID: 'PRIVACY_KEY_INVALID',
  /** A data key cannot be unwrapped: it was wrapped by another KEK, or the row was altered. */
  PRIVACY_KEY_UNWRAP_FAILED: 'PRIVACY_KEY_UNWRAP_FAILED',
  /** A request needs a reason (erasure, clear-value read) and none, or a too short one, was given. */
  PRIVACY_REASON_REQUIRED: 'PRIVACY_REASON_REQUIRED',
  /** A subject id is empty or too long. */
  PRIVACY_SUBJECT_INVALID: 'PRIVACY_SUBJECT_INVALID',
  /** The caller lacks the `privacy-officer` role needed to read clear values of sealed fields. */
  PRIVACY_FORBIDDEN: 'PRIVACY_FORBIDDEN',
} as const;
export type PrivacyErrorCode = (typeof PrivacyErrorCodes)[keyof typeof PrivacyErrorCodes];

const STATUS: Record<PrivacyErrorCode, number> = {
  PRIVACY_KEY_INVALID: 500,
  PRIVACY_KEY_UNWRAP_FAILED: 500,
  PRIVACY_REASON_REQUIRED: 400,
  PRIVACY_SUBJECT_INVALID: 400,
  PRIVACY_FORBIDDEN: 403,
};

/** An AppError with a privacy code and the HTTP status that code maps to. */
export const privacyError = errorFactory<PrivacyErrorCode>(STATUS);
