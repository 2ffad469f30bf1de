/** Lifecycle of a model version; every change is a new state-change row, never an edit. */
export const VERSION_STATES = [
  'registered',
  'approved',
  'deployed',
  'quarantined',
  'revoked',
] as const;
export type VersionState = (typeof VERSION_STATES)[number];

/** Snapshot states: data can be quarantined too (poisoning), or revoked for good. */
export const SNAPSHOT_STATES = ['registered', 'approved', 'quarantined', 'revoked'] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** One artifact file: POSIX path relative to the version's root, SHA-256 (hex) and size. */
export interface ArtifactFile {
  path: string;
  digest: string;
  size: number;
}

/** One file of a data set snapshot; `rows` when the format has them. */
export interface SnapshotFile extends ArtifactFile {
  rows?: number;
}

export interface Model {
  id: string;
  name: string;
  owner: string;
  description: string;
  criticality: Criticality;
  dataClassification: DataClassification;
  createdAt: string;
  createdBy: string;
}

export interface ModelVersion {
  id: string;
  modelId: string;
  version: string;
  /** OMS root digest: SHA-256 over the files' raw digests in path order (see oms/manifest.ts). */
  manifestDigest: string;
  files: ArtifactFile[];
  /** Directory or file holding the artifacts (in-process serving), if any. */
  location: string | null;
  /** http(s) URL of the server answering for this version remotely, if any. */
  upstream: string | null;
  /** The OMS signature bundle (JSON text) recorded at registration, if any. */
  signature: string | null;
  createdAt: string;
  createdBy: string;
}

export interface Dataset {
  id: string;
  name: string;
  owner: string;
  description: string;
  dataClassification: DataClassification;
  createdAt: string;
  createdBy: string;
}

export interface DatasetSnapshot {
  id: string;
  datasetId: string;
  label: string;
  manifestDigest: string;
  files: SnapshotFile[];
  rowCount: number;
  schema: Record<string, unknown>;
  location: string | null;
  createdAt: string;
  createdBy: string;
}

export interface TrainingRun {
  id: string;
  codeRevision: string;
  params: Record<string, unknown>;
  /** Snapshot ids the run read. */
  inputs: string[];
  /** Model version ids the run produced. */
  outputs: string[];
  /** Model version ids the run started from (a pre-trained base that it fine-tuned). */
  baseModels: string[];
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export const SUBJECT_KINDS = ['model_version', 'dataset_snapshot'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export interface StateChange {
  id: string;
  subjectKind: SubjectKind;
  subjectId: string;
  state: VersionState;
  reason: string;
  actor: string;
  details: Record<string, unknown>;
  at: string;
}

/** Which version served an endpoint from `at` until the next deployment there (`until`). */
export interface Deployment {
  id: string;
  endpoint: string;
  modelId: string;
  /** null: the endpoint was withdrawn. */
  versionId: string | null;
  reason: string;
  actor: string;
  /** The containment action (pin_version) that enforced it, if any. */
  actionId: string | null;
  at: string;
  until: string | null;
}

/** Probe inputs with the answers a version gave when its fingerprint was recorded. */
export interface StoredFingerprint {
  id: string;
  versionId: string;
  probes: { id: string; input: unknown; output: unknown }[];
  tolerance: number;
  recordedAt: string;
  recordedBy: string;
}
