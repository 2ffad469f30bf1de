/** Forensics: queryable inference events, impact analysis against known-good versions, evidence bundles. */
export { ForensicsErrorCodes, type ForensicsErrorCode, forensicsError } from './errors.js';
export {
  parseEventFilter,
  parseTime,
  type EventFilter,
  type RawEventQuery,
} from './event-filter.js';
export {
  syncEventIndex,
  indexRowOf,
  forgetPrunedEvents,
  streamEvents,
  listEvents,
  countEvents,
  versionsServed,
  type IndexedEvent,
  type ForensicsTables,
} from './event-index.js';
export {
  EVENT_FORMATS,
  EVENT_CSV_COLUMNS,
  type EventFormat,
  csvField,
  csvLine,
  eventRecord,
  encodeEvents,
} from './event-format.js';
export { answerLabel, argmax, checkPointer, resolvePointer } from './answers.js';
export {
  analyseImpact,
  type Scorer,
  type ScoredRows,
  type ImpactWindow,
  type ImpactOptions,
  type ImpactSummary,
  type Decision,
  type Tally,
} from './impact.js';
export {
  runImpact,
  runImpactMany,
  type ImpactTarget,
  type RunManyOptions,
  type ManyImpactSummary,
  IMPACT_FORMATS,
  DECISION_CSV_COLUMNS,
  type ImpactFormat,
  type ImpactModelSource,
  type RunImpactOptions,
} from './impact-export.js';
export { createHttpScorer, type HttpScorerOptions } from './http-scorer.js';
export { servedWindows, snapshotTargets, type SnapshotLineageView } from './impact-targets.js';
export {
  BUNDLE_FORMAT,
  BUNDLE_FILES,
  type BundleManifest,
  type BundleItem,
  type BundleEntry,
} from './bundle-format.js';
export {
  buildEvidenceBundle,
  type BuildBundleOptions,
  type BuiltBundle,
  type EvidenceRecord,
} from './bundle-build.js';
export {
  verifyEvidenceBundle,
  type BundleVerification,
  type BundleProblem,
} from './bundle-verify.js';
