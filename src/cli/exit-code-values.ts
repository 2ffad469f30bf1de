/**
 * The process exit codes (documented in docs/cli.md); exit-codes.ts maps error codes to them.
 * Kept apart from it because it needs core, which `aisoc --version` must not load.
 */
export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  VERIFICATION_FAILED: 3,
  SERVER_UNREACHABLE: 4,
  CONFIG_INVALID: 5,
  NOT_FOUND: 6,
  REFUSED: 7,
  CHECK_FAILED: 8,
} as const;
