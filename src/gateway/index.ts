/** The inference gateway: protocols, API keys, containment enforcement and event emission. */
export {
  createGateway,
  type Gateway,
  type GatewayOptions,
  type GatewayStats,
  type LocalModel,
  type EventSink,
  type Escalation,
} from './gateway.js';
export {
  createKeyDirectory,
  generateApiKey,
  hashApiKey,
  type GatewayKey,
  type KeyDirectory,
} from './api-keys.js';
export { GatewayError, GatewayErrors, type GatewayErrorCode } from './errors.js';
export { type InlineDetection, type InlineVerdict } from './inline-detection.js';
export {
  createVersionCatalog,
  configuredVersions,
  type ServedVersion,
  type VersionCatalog,
} from './version-catalog.js';
export { createSourceGuard, type SourceAggregate, type SourceGuard } from './source-guard.js';
export { isWatermarked, watermarkedRows, swapTopTwo } from './watermark.js';
export { endpointProblem } from './shared-limits.js';
export {
  createCircuitBreaker,
  type CircuitBreakerSettings,
  type CircuitChange,
  type CircuitState,
} from './circuit-breaker.js';
