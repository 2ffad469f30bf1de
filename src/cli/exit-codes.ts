import { isAppError } from '../core/index.js';

/** The one place that maps error codes to process exit codes (documented in docs/cli.md). */
export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  VERIFICATION_FAILED: 3,
  SERVER_UNREACHABLE: 4,
  CONFIG_INVALID: 5,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!isAppError(error)) return ExitCodes.FAILURE;
  if (error.code === 'CLI_SERVER_UNREACHABLE') return ExitCodes.SERVER_UNREACHABLE;
  if (error.code.startsWith('CONFIG_')) return ExitCodes.CONFIG_INVALID;
  if (error.code === 'VALIDATION_FAILED' || error.code === 'CLI_USAGE') return ExitCodes.USAGE;
  return ExitCodes.FAILURE;
}
