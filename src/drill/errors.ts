import { AppError } from '../core/index.js';

/**
 * Codes the drill module fails with. (Kept out of `errors.ts` until docs/errors.md lists
 * them: the drill branch may not edit that page; the table is in docs/drills.md.)
 */
export const DrillErrorCodes = {
  DRILL_CONTAINED: 'DRILL_CONTAINED',
  DRILL_HTTP_FAILED: 'DRILL_HTTP_FAILED',
  DRILL_RESPONSE_INVALID: 'DRILL_RESPONSE_INVALID',
  DRILL_SCENARIO_UNKNOWN: 'DRILL_SCENARIO_UNKNOWN',
  DRILL_ATTACK_UNKNOWN: 'DRILL_ATTACK_UNKNOWN',
  DRILL_DATA_INVALID: 'DRILL_DATA_INVALID',
  DRILL_CONTROL_MISSING: 'DRILL_CONTROL_MISSING',
} as const;
export type DrillErrorCode = (typeof DrillErrorCodes)[keyof typeof DrillErrorCodes];

export function drillError(
  code: DrillErrorCode,
  message: string,
  details?: Record<string, unknown>,
): AppError {
  const status =
    code === 'DRILL_SCENARIO_UNKNOWN' ||
    code === 'DRILL_ATTACK_UNKNOWN' ||
    code === 'DRILL_DATA_INVALID' ||
    code === 'DRILL_CONTROL_MISSING'
      ? 400
      : 502;
  return new AppError(code, message, { status, details });
}
