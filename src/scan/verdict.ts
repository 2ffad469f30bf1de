import { isAppError } from '../core/index.js';
import { ScanErrorCodes } from './errors.js';
import type { Finding, Verdict } from './types.js';

/** Rules that mean "could not finish the analysis" rather than "found something". */
export const ERROR_RULES = [
  'scan.format-invalid',
  'scan.limit-exceeded',
  'scan.internal',
  'path.unreadable',
] as const;

/**
 * Malicious wins over error (a payload found before the file broke is still a payload);
 * then error; then any medium finding makes the file suspicious.
 */
export function verdictOf(findings: Finding[]): Verdict {
  const isError = (f: Finding) => (ERROR_RULES as readonly string[]).includes(f.rule);
  if (findings.some((f) => !isError(f) && (f.severity === 'critical' || f.severity === 'high')))
    return 'malicious';
  if (findings.some(isError)) return 'error';
  if (findings.some((f) => f.severity === 'medium')) return 'suspicious';
  return 'safe';
}

/** Turns a thrown failure into the finding that explains an `error` verdict. */
export function errorFinding(error: unknown): Finding {
  if (isAppError(error) && error.code === ScanErrorCodes.SCAN_FORMAT_INVALID) {
    const offset = (error.details as { offset?: number } | undefined)?.offset;
    return {
      severity: 'high',
      rule: 'scan.format-invalid',
      message: error.message,
      location: offset === undefined ? {} : { offset },
    };
  }
  if (isAppError(error) && error.code === ScanErrorCodes.SCAN_LIMIT_EXCEEDED) {
    return { severity: 'high', rule: 'scan.limit-exceeded', message: error.message, location: {} };
  }
  const message =
    error instanceof RangeError
      ? `input too deeply nested: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return {
    severity: 'high',
    rule: 'scan.internal',
    message: `scanner failed: ${message}`,
    location: {},
  };
}
