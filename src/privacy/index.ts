/** Privacy of the record: field policies, per-subject keys and crypto-shredding, subject export. */
export { PrivacyErrorCodes, type PrivacyErrorCode, privacyError } from './errors.js';
export { fileKeyWrapper, loadOrCreateKey, writeKeyFile, type KeyWrapper } from './key-files.js';
export {
  createKeyring,
  erasedSubjects,
  type Keyring,
  type EraseOutcome,
  type PrivacyTables,
} from './keyring.js';
export {
  compilePolicy,
  anonymousKeyRef,
  type ApplyPolicy,
  type PolicyDeps,
} from './apply-policy.js';
export { generalise } from './generalise.js';
export { seal, unseal, sealAad, createHasher, type Hasher, type Sealed } from './seal.js';
export { markErased, openEvent } from './open-record.js';
export {
  createPrivacyService,
  type PrivacyService,
  type PrivacyServiceOptions,
  type SubjectExport,
  type IncidentScope,
} from './privacy-service.js';
