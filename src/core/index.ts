/** Domain types, their schemas, ids, errors, clocks, canonical JSON and hashing. */
export { AppError, CoreErrorCodes, errorFactory, isAppError, toAppError } from './errors.js';
export { createId } from './ids.js';
export { type Clock, systemClock, createManualClock } from './clock.js';
export { canonicalJson } from './canonical-json.js';
export { sha256, sha256Hex } from './hash.js';
export {
  GATEWAY_PROTOCOLS,
  type GatewayProtocol,
  INFERENCE_OUTCOMES,
  type InferenceOutcome,
  InferenceEventSchema,
  type InferenceEvent,
  RecordedPrivacySchema,
  type RecordedPrivacy,
} from './inference-event.js';
export { SEVERITIES, type Severity, AlertSchema, type Alert } from './alert.js';
export {
  CONTAINMENT_ACTION_KINDS,
  type ContainmentActionKind,
  FallbackSchema,
  type Fallback,
  ContainmentActionSchema,
  type ContainmentAction,
  AppliedActionSchema,
  type AppliedAction,
  type PolicySnapshot,
  type RateLimitPolicy,
  type HardeningPolicy,
  HARDENING_MODES,
  type HardeningMode,
  type InlineDetectionPolicy,
  buildPolicySnapshot,
  InputRuleSchema,
  type InputRule,
  inputRuleMatches,
} from './containment.js';
export {
  REGULATION_TAGS,
  type RegulationTag,
  REGULATORY_CLOCKS,
  type RegulatoryClock,
  type ClockContext,
  clocksFor,
  clockDeadline,
  describeDue,
} from './regulatory-clocks.js';
export { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js';
export { spawnModuleWorker } from './spawn-worker.js';
export {
  AuditEntrySchema,
  type AuditEntry,
  type AuditEntryType,
  INCIDENT_TIMELINE_KINDS,
  type IncidentTimelineKind,
} from './audit-entry.js';
export { ATLAS, type AtlasTechniqueId, OWASP, type OwaspId } from './taxonomy.js';
export {
  type PolicyStep,
  formatPolicyStep,
  parsePolicyTrace,
  appendPolicyStep,
  CIRCUIT_BREAKER_STEP,
  DECOY_WATERMARK_STEP,
  type PolicyStepKind,
  policyTraceHas,
  isContainmentKind,
} from './policy-trace.js';
export {
  createDecoyWatermark,
  keyedNormals,
  softmax,
  DECOY_WATERMARK_DEFAULTS,
  type DecoyWatermark,
  type DecoyWatermarkOptions,
} from './decoy-watermark.js';
export { principalBasis, symmetricEigen, type PrincipalBasis } from './principal-basis.js';
export {
  FAIRNESS_GAPS,
  groupFairness,
  type FairnessGap,
  type FairnessReport,
  type GroupedPrediction,
  type GroupMetrics,
} from './group-fairness.js';
