/** Model-file scanning: static verdicts on pickles, checkpoints and model formats before anything loads them. */
export { scan } from './scan.js';
export { scanPaths } from './scan-paths.js';
export {
  VERDICTS,
  type Verdict,
  SCAN_FORMATS,
  type ScanFormat,
  type Finding,
  type FindingLocation,
  type ScanResult,
  type ScanOptions,
  type ScanPathsOptions,
  type ScanLimits,
} from './types.js';
export { DEFAULT_SCAN_LIMITS } from './scan-context.js';
/** The allowlist policy: its schema, the built-in default, a file loader and a merge helper. */
export {
  ScanPolicySchema,
  type ScanPolicy,
  defaultScanPolicy,
  loadScanPolicy,
  mergeScanPolicy,
  isScanPolicyError,
} from './policy.js';
export {
  formatScanTable,
  formatScanJson,
  scanExitCode,
  SCAN_EXIT_CODES,
} from './format-results.js';
export { formatScanSarif } from './format-sarif.js';
export { ScanErrorCodes, type ScanErrorCode } from './errors.js';
/** The bounded readers, for other modules that read model files' structure (registry diff). */
export { fileSource, bufferSource, u64le, type ByteSource } from './readers/byte-source.js';
export { protoFields, protoString, type ProtoField } from './readers/proto-reader.js';
