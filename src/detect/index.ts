/** Detectors over the event stream (drift, performance) and data audits, with their runner. */
export type { Detector, Finding } from './detector.js';
export { DetectErrorCodes, type DetectErrorCode } from './errors.js';
export * as stats from './stats/index.js';
export {
  type Cell,
  type DataTable,
  TABLE_FORMATS,
  type TableFormat,
  parseCsv,
  parseJsonLines,
  parseTable,
  formatFromPath,
  columnIndex,
} from './baseline/read-table.js';
export { parseParquet } from './baseline/read-parquet.js';
export {
  FEATURE_TYPES,
  type FeatureType,
  type FeatureProfile,
  type NumericSummary,
  type BaselineProfile,
  type ProfileOptions,
  buildBaseline,
  profileColumn,
} from './baseline/baseline-profile.js';
export {
  type DriftRule,
  DEFAULT_DRIFT_RULE,
  type WindowColumn,
  type FeatureDrift,
  type DriftComparison,
  compareToBaseline,
} from './drift/compare-to-baseline.js';
export { windowColumn, windowColumnsFromTable } from './drift/window-column.js';
export { type WindowSpec } from './drift/drift-window.js';
export {
  type DriftDetectorOptions,
  type DriftState,
  type DriftWindowResult,
  createDriftDetector,
  recentDriftResults,
  ruleProblems,
} from './drift/drift-detector.js';
export { type Prediction, readPrediction } from './drift/prediction.js';
export {
  createOutputDriftDetector,
  compareOutputs,
  type OutputDriftOptions,
  type OutputDriftState,
  type OutputProfile,
} from './drift/output-drift.js';
export {
  type CheckpointStore,
  type RunnerCheckpoint,
  type DetectorRunnerOptions,
  type DetectorRunner,
  type MemoryReportEntry,
  createDetectorRunner,
} from './runner/detector-runner.js';
export {
  METRICS,
  type Metric,
  type MetricValues,
  classificationMetrics,
  rocAuc,
} from './performance/classification-metrics.js';
export {
  type PerformanceMonitorOptions,
  type PerformanceMonitor,
  type PerformanceWindowResult,
  type FeedbackResult,
  type PerformanceSnapshot,
  createPerformanceMonitor,
  recordFeedback,
} from './performance/performance-monitor.js';
export {
  groupFairness,
  FAIRNESS_GAPS,
  type FairnessGap,
  type FairnessReport,
  type GroupMetrics,
} from './performance/fairness.js';
export {
  type AuditOptions,
  type AuditReport,
  type DigestCheckInput,
  type ConditionalShift,
  QUARANTINE_REASONS,
  type QuarantineReason,
  type QuarantinedRow,
  auditDataset,
} from './audit/audit-dataset.js';
export { renderAuditMarkdown } from './audit/render-audit.js';
export * from './extraction/index.js';
export { createDecoyDetector, type DecoyDetectorOptions, type DecoyState } from './decoy/index.js';
export {
  decodeModelStageBatch,
  forwardingToModelStage,
  type ModelStageBatch,
} from './model-stage.js';
export { MAX_PARTITIONS, eventPartition, partitionSubject, partitionToken } from './partition.js';
export {
  type PartitionSpec,
  type PartitionCheckpoint,
  type PartitionWorker,
  type PartitionWorkerOptions,
  findingAlertId,
  startPartitionWorker,
} from './partition-worker.js';
