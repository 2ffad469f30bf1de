import type { Selectable } from 'kysely';
import { canonicalJson } from '../core/index.js';
import type {
  RegistryDatasetSnapshotsTable,
  RegistryDatasetsTable,
  RegistryDeploymentsTable,
  RegistryModelVersionsTable,
  RegistryModelsTable,
  RegistryStateChangesTable,
} from './schema.js';
import type {
  Criticality,
  DataClassification,
  Dataset,
  DatasetSnapshot,
  Deployment,
  Model,
  ModelVersion,
  StateChange,
  SubjectKind,
  VersionState,
} from './types.js';

// Rows are written only by this module, so decoding trusts their shape (the string unions are
// checked at the service's edge before anything is inserted).

export const json = (value: unknown): string => canonicalJson(value);

export function toModel(r: Selectable<RegistryModelsTable>): Model {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    description: r.description,
    criticality: r.criticality as Criticality,
    dataClassification: r.data_classification as DataClassification,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function toVersion(r: Selectable<RegistryModelVersionsTable>): ModelVersion {
  return {
    id: r.id,
    modelId: r.model_id,
    version: r.version,
    manifestDigest: r.manifest_digest,
    files: JSON.parse(r.files) as ModelVersion['files'],
    location: r.location,
    upstream: r.upstream,
    signature: r.signature,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function toDataset(r: Selectable<RegistryDatasetsTable>): Dataset {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    description: r.description,
    dataClassification: r.data_classification as DataClassification,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function toSnapshot(r: Selectable<RegistryDatasetSnapshotsTable>): DatasetSnapshot {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    label: r.label,
    manifestDigest: r.manifest_digest,
    files: JSON.parse(r.files) as DatasetSnapshot['files'],
    rowCount: Number(r.row_count),
    schema: JSON.parse(r.data_schema) as Record<string, unknown>,
    location: r.location,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function toStateChange(r: Selectable<RegistryStateChangesTable>): StateChange {
  return {
    id: r.id,
    subjectKind: r.subject_kind as SubjectKind,
    subjectId: r.subject_id,
    state: r.state as VersionState,
    reason: r.reason,
    actor: r.actor,
    details: JSON.parse(r.details) as Record<string, unknown>,
    at: r.at,
  };
}

export function toDeployment(
  r: Selectable<RegistryDeploymentsTable>,
  until: string | null,
): Deployment {
  return {
    id: r.id,
    endpoint: r.endpoint,
    modelId: r.model_id,
    versionId: r.version_id,
    reason: r.reason,
    actor: r.actor,
    actionId: r.action_id,
    at: r.at,
    until,
  };
}
