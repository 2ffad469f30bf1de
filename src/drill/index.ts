/** Drills: attacks run against a live aisoc over HTTP, timed and scored (imports only core). */
export { runDrill, type DrillOptions } from './run-drill.js';
export type { DrillTick } from './progress.js';
export {
  SCENARIOS,
  scenarioNamed,
  attackNamed,
  type Scenario,
  type ScenarioName,
  type Achieved,
  type AnyScenario,
} from './scenarios.js';
export type { DrillControl, PipelineScenario } from './pipeline.js';
export { startSwapProxy, type SwapProxy } from './swap-proxy.js';
export { startWebhookSink, type WebhookSink, type ReceivedNotification } from './webhook-sink.js';
export { buildPoisonedBatch } from './poisoning.js';
export type {
  BundleVerifier,
  ImpactFigures,
  ImpactRunner,
  PoisonedRelease,
} from './poisoned-version.js';
export { picklePayload } from './malicious-file.js';
export {
  formatScorecard,
  scorecardRows,
  SCORECARD_FORMATS,
  type Scorecard,
  type ScorecardFormat,
  type ForensicsCheck,
} from './scorecard.js';
export { loadDrillData, parseLabelledCsv, type DrillData } from './drill-data.js';
export {
  createHttpTarget,
  parseV2,
  type HttpTarget,
  type HttpTargetOptions,
} from './http-target.js';
export { DrillErrorCodes, type DrillErrorCode } from './errors.js';
export * from './tabletop/index.js';
export { appendDrillHistory, readDrillHistory, type DrillHistoryEntry } from './history.js';
