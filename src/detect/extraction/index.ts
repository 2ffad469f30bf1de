/** Model-extraction and black-box-evasion detection (PRADA, stateful similarity, signals). */
export { createExtractionDetector, type ExtractionState } from './extraction-detector.js';
export {
  type ModelBaseline,
  type BaselineOptions,
  buildModelBaseline,
  standardizeRow,
  outlierScore,
  rangeViolations,
} from './baseline.js';
export {
  type ExtractionOptions,
  type ExtractionConfig,
  ExtractionOptionsSchema,
  parseExtractionOptions,
} from './options.js';
export {
  type ShapiroWilkResult,
  shapiroWilk,
  shapiroWilkSorted,
  SHAPIRO_MIN_N,
  SHAPIRO_MAX_N,
} from './shapiro-wilk.js';
export { normalCdf, normalUpper, normalQuantile } from './normal.js';
export { ATLAS, OWASP, FINDING_KINDS, type FindingKind } from './finding.js';
export { readOutput, principalKey, sourceNetwork } from './read-event.js';
export { ExtractionErrorCodes, type ExtractionErrorCode } from './errors.js';
export { loadReferenceBaseline, ReferenceBaselineErrorCodes } from './reference-baseline.js';
