import { isAppError } from '../core/index.js';

/** The one place that maps error codes to process exit codes (documented in docs/cli.md). */
export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  VERIFICATION_FAILED: 3,
  SERVER_UNREACHABLE: 4,
  CONFIG_INVALID: 5,
  NOT_FOUND: 6,
} as const;

// The server's refusals that mean "the files or their signature are not what was approved".
const VERIFICATION_CODES = new Set([
  'CLI_DIGEST_MISMATCH',
  'REGISTRY_ADMISSION_REFUSED',
  'REGISTRY_ARTIFACT_MISMATCH',
  'REGISTRY_SIGNATURE_INVALID',
  'REGISTRY_SIGNATURE_MALFORMED',
  'REGISTRY_CERTIFICATE_INVALID',
  'LEDGER_TRUNCATED',
  'LEDGER_WITNESS_MISMATCH',
  'LEDGER_KEY_MISMATCH',
  'LEDGER_UNSIGNED_TAIL',
]);

export function exitCodeFor(error: unknown): number {
  if (!isAppError(error)) return ExitCodes.FAILURE;
  if (error.code === 'CLI_SERVER_UNREACHABLE') return ExitCodes.SERVER_UNREACHABLE;
  if (error.code.startsWith('CONFIG_')) return ExitCodes.CONFIG_INVALID;
  if (
    error.code === 'VALIDATION_FAILED' ||
    error.code === 'CLI_USAGE' ||
    error.code === 'REGISTRY_INPUT_INVALID'
  )
    return ExitCodes.USAGE;
  if (VERIFICATION_CODES.has(error.code)) return ExitCodes.VERIFICATION_FAILED;
  if (error.code === 'NOT_FOUND' || error.code.endsWith('_NOT_FOUND')) return ExitCodes.NOT_FOUND;
  return ExitCodes.FAILURE;
}
