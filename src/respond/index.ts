/** Response: incidents, correlation, severity, playbooks, containment, evidence, approvals. */
export {
  createActionService,
  type ActionService,
  type ActionServiceOptions,
  type ActionRecords,
  type PolicyPublisher,
} from './action-service.js';
export { RespondErrorCodes, type RespondErrorCode } from './errors.js';
export {
  createResponder,
  triggerMatches,
  type Responder,
  type ResponderDeps,
} from './responder.js';
export {
  PHASES,
  type Phase,
  IMPACT_TYPES,
  type ImpactType,
  DATA_SENSITIVITIES,
  type DataSensitivity,
  type Incident,
  type IncidentTask,
  type Disposition,
  type SeverityAssessment,
  incidentMetrics,
  meanMetrics,
  effectiveSeverity,
} from './incident.js';
export {
  correlateAlert,
  CORRELATION_KEYS,
  DEFAULT_CORRELATION,
  type CorrelationOptions,
} from './correlate.js';
export { createLedgerEvidenceSources, type ModelSource } from './ledger-sources.js';
export { computeSeverity, type SeverityInputs } from './severity.js';
export {
  parsePlaybook,
  loadPlaybookText,
  loadPlaybookDir,
  formatProblems,
  type PlaybookProblem,
} from './load-playbook.js';
export { PlaybookSchema, type Playbook, type PlaybookStep } from './playbook-schema.js';
export {
  decide,
  newRun,
  type RunState,
  type RunEvent,
  type RunCommand,
} from './playbook-engine.js';
export { simulateRun, type PlannedStep } from './simulate-run.js';
export { signWebhook, type WebhookTarget } from './notify.js';
export { createFolderEvidenceStore, type EvidenceStore } from './evidence-store.js';
export type { EvidenceSources } from './step-adapters.js';
export type { AssetInfo } from './summarise-alerts.js';
export type { EvidenceItem, TimelineEntry } from './respond-repository.js';
export { atlasTechnique, owaspTitle } from './taxonomy.js';
export { type Suppression, MAX_SUPPRESSION_MS } from './suppressions.js';
export { DEFAULT_SUPPRESSION_MS, type DisposeOptions } from './false-positives.js';
export {
  createPipelineFreezes,
  sendPipelineHook,
  ALL_DATASETS,
  type PipelineFreeze,
  type PipelineFreezes,
  type PipelineHookBody,
} from './pipeline-freeze.js';
