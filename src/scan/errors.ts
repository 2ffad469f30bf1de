/** Error codes of the scan module; each is documented in docs/errors.md. */
export const ScanErrorCodes = {
  /** The policy file is missing, unreadable or does not match the schema. */
  SCAN_POLICY_INVALID: 'SCAN_POLICY_INVALID',
  /** The file is structurally broken (truncated, lying header, bad opcode); becomes an `error` verdict. */
  SCAN_FORMAT_INVALID: 'SCAN_FORMAT_INVALID',
  /** A resource limit (bytes, ratio, depth, operations, time) was reached; becomes an `error` verdict. */
  SCAN_LIMIT_EXCEEDED: 'SCAN_LIMIT_EXCEEDED',
} as const;

export type ScanErrorCode = (typeof ScanErrorCodes)[keyof typeof ScanErrorCodes];
