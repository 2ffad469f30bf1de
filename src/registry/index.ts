/** Provenance: models, versions, datasets, training runs, deployments, lineage, OMS signatures, admission. */
export {
  createRegistry,
  type Registry,
  type RegistryDeps,
  type DeployInput,
  type VersionView,
} from './create-registry.js';
export { createRegistryRepository, type RegistryRepository } from './registry-repository.js';
export {
  createLineage,
  type Lineage,
  type SnapshotLineage,
  type EndpointProvenance,
  type ModelDescendants,
  type LineageVersion,
} from './lineage.js';
export {
  createAdmission,
  type Admission,
  type AdmissionOptions,
  type AdmissionReport,
} from './admission.js';
export { canTransition, DEPLOYABLE_STATES } from './version-states.js';
export {
  createRollback,
  type Rollback,
  type RollbackInput,
  type RollbackResult,
  type ActionApplier,
} from './rollback.js';
export {
  createServedRegistry,
  createServingRecorder,
  servingVersion,
  type ActionChange,
  type ActionControl,
  type ConfiguredServing,
  type Withdrawal,
} from './serving-actions.js';
export {
  createValidation,
  type Validation,
  type ValidationInput,
  type ValidationRecord,
} from './validation.js';
export {
  compareVersions,
  rocAuc,
  scoreVersion,
  GATED_METRICS,
  type Comparison,
  type VersionMetrics,
} from './validation-metrics.js';
export { RegistryErrorCodes, type RegistryErrorCode } from './errors.js';
export { servingPlan, type ServingPlan } from './serving-plan.js';
export type { RegistryDatabase } from './schema.js';
export type {
  ModelInput,
  VersionInput,
  DatasetInput,
  SnapshotInput,
  RunInput,
} from './registry-input.js';
export * from './types.js';
export {
  hashModel,
  rootDigest,
  compareFiles,
  DEFAULT_IGNORED_PATHS,
  type ModelManifest,
  type FileProblem,
} from './oms/model-manifest.js';
export { signModel, type SignModelOptions } from './oms/sign-model.js';
export {
  verifyModelSignature,
  type TrustAnchor,
  type VerifiedSignature,
  type VerifyTarget,
} from './oms/verify-signature.js';
export { loadPrivateKey, loadPublicKey, publicKeyHint } from './oms/signing-keys.js';
export { parsePemCertificates } from './oms/certificate-chain.js';
export { atlasCatalog, loadAtlasCatalog, type AtlasCatalog } from './threat/atlas-catalog.js';
export {
  buildInventory,
  ASSET_KINDS,
  type Asset,
  type AssetKind,
  type ConfiguredModel,
} from './threat/inventory.js';
export {
  assessAsset,
  renderThreatModel,
  STRIDE,
  type Risk,
  type StrideCategory,
} from './threat/threat-model.js';
export {
  createIntegrityMonitor,
  recordFingerprint,
  outputDistance,
  type IntegrityMonitor,
  type IntegrityMonitorOptions,
  type MonitoredArtifacts,
  type Fingerprint,
  type Probe,
} from './integrity-monitor.js';
export {
  diffVersionArtifacts,
  diffModelFiles,
  TENSOR_CHANGES,
  type VersionDiff,
  type VersionArtifacts,
  type ModelFileDiff,
  type TensorDiff,
  type TensorChange,
} from './diff/index.js';
export {
  checkSuspect,
  excessDirection,
  suspectProbes,
  type SuspectCheck,
  type SuspectCheckOptions,
} from './fingerprint-suspect.js';
export {
  createArtifactReads,
  createArtifactAccessMonitor,
  resolveArtifact,
  type ArtifactReads,
  type ArtifactAccessMonitor,
  type ArtifactAccessLimits,
  type ArtifactDownload,
  parseS3AccessLog,
  type StoreRead,
} from './artifact-access/index.js';
