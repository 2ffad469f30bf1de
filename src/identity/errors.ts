import { errorFactory } from '../core/index.js';

/** Error codes of the identity module; each is documented in docs/errors.md. */
export const IdentityErrorCodes = {
  /** A user or service-account name is malformed or reserved. */
  IDENTITY_NAME_INVALID: 'IDENTITY_NAME_INVALID',
  /** A role is not one of viewer, responder, approver, admin. */
  IDENTITY_ROLE_INVALID: 'IDENTITY_ROLE_INVALID',
  /** A user or service account with that name already exists (revoked ones too). */
  IDENTITY_NAME_TAKEN: 'IDENTITY_NAME_TAKEN',
  /** No user or service account has that name. */
  IDENTITY_UNKNOWN: 'IDENTITY_UNKNOWN',
  /** The identity was revoked; it cannot be rotated or used again. */
  IDENTITY_REVOKED: 'IDENTITY_REVOKED',
  /** The authenticated identity's role does not grant the permission the route needs. */
  IDENTITY_FORBIDDEN: 'IDENTITY_FORBIDDEN',
} as const;

export type IdentityErrorCode = (typeof IdentityErrorCodes)[keyof typeof IdentityErrorCodes];

const STATUS: Record<IdentityErrorCode, number> = {
  IDENTITY_NAME_INVALID: 400,
  IDENTITY_ROLE_INVALID: 400,
  IDENTITY_NAME_TAKEN: 409,
  IDENTITY_UNKNOWN: 404,
  IDENTITY_REVOKED: 409,
  IDENTITY_FORBIDDEN: 403,
};

/** An AppError with an identity code and the HTTP status that code maps to. */
export const identityError = errorFactory<IdentityErrorCode>(STATUS);
