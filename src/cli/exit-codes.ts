import { isAppError } from '../core/index.js';
import { ExitCodes } from './exit-code-values.js';

export { ExitCodes } from './exit-code-values.js';

// The server's refusals that mean "the files or their signature are not what was approved".
const VERIFICATION_CODES = new Set([
  'CLI_DIGEST_MISMATCH',
  'REGISTRY_ADMISSION_REFUSED',
  'REGISTRY_ARTIFACT_MISMATCH',
  'REGISTRY_SIGNATURE_INVALID',
  'REGISTRY_SIGNATURE_MALFORMED',
  'REGISTRY_CERTIFICATE_INVALID',
  // A deploy under registry.requireValidation without a passing validation (issue 15).
  'REGISTRY_VALIDATION_REQUIRED',
  'LEDGER_TRUNCATED',
  'LEDGER_WITNESS_MISMATCH',
  'LEDGER_KEY_MISMATCH',
  'LEDGER_UNSIGNED_TAIL',
]);

const USAGE_CODES = new Set([
  'VALIDATION_FAILED',
  'CLI_USAGE',
  'CLI_URL_INVALID',
  'CLI_FILE_UNREADABLE',
  'REGISTRY_INPUT_INVALID',
]);

// "No such thing" under another name: an unknown action target, incident, playbook, ledger index.
const NOT_FOUND_CODES = new Set([
  'NOT_FOUND',
  'ACTION_TARGET_UNKNOWN',
  'RESPOND_INCIDENT_UNKNOWN',
  'RESPOND_PLAYBOOK_UNKNOWN',
  'LEDGER_PROOF_RANGE',
]);

/**
 * The exit code for an error: by its code first, then by the HTTP status the admin API answered
 * with (404 not found, 400 bad argument, 401/403/409 refused), else 1.
 */
export function exitCodeFor(error: unknown): number {
  if (!isAppError(error)) return ExitCodes.FAILURE;
  const { code, status } = error;
  if (code === 'CLI_SERVER_UNREACHABLE') return ExitCodes.SERVER_UNREACHABLE;
  if (code.startsWith('CONFIG_')) return ExitCodes.CONFIG_INVALID;
  if (USAGE_CODES.has(code)) return ExitCodes.USAGE;
  if (VERIFICATION_CODES.has(code)) return ExitCodes.VERIFICATION_FAILED;
  if (NOT_FOUND_CODES.has(code) || code.endsWith('_NOT_FOUND')) return ExitCodes.NOT_FOUND;
  if (code === 'CLI_TOKEN_REJECTED' || code === 'CLI_REFUSED') return ExitCodes.REFUSED;
  if (code === 'CLI_CHECK_FAILED') return ExitCodes.CHECK_FAILED;
  if (code === 'API_ROUTE_UNKNOWN') return ExitCodes.FAILURE; // a server of another version
  if (status === 404) return ExitCodes.NOT_FOUND;
  if (status === 400) return ExitCodes.USAGE;
  if (status === 401 || status === 403 || status === 409) return ExitCodes.REFUSED;
  return ExitCodes.FAILURE;
}
