/** Identities: named users and service accounts with hashed tokens, roles and permissions. */
export { IdentityErrorCodes, type IdentityErrorCode, identityError } from './errors.js';
export {
  ROLES,
  PERMISSIONS,
  isRole,
  permissionsOf,
  hasPermission,
  type Role,
  type Permission,
} from './roles.js';
export {
  createIdentityService,
  createTokenAuthenticator,
  describeIdentity,
  BOOTSTRAP_ADMIN,
  type Identity,
  type IdentityView,
  type IdentityService,
  type IdentityServiceOptions,
} from './identity-service.js';
export { IDENTITY_KINDS, type IdentityKind } from './identity-repository.js';
export { createOidcAuthenticator, type OidcOptions } from './oidc.js';
