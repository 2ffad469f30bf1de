// The registry's tables as Kysely sees them (created by store migration 0002_registry).
// JSON columns hold canonical JSON text; times are ISO 8601 UTC strings.

export interface RegistryModelsTable {
  id: string;
  name: string;
  owner: string;
  description: string;
  criticality: string;
  data_classification: string;
  created_at: string;
  created_by: string;
}

export interface RegistryModelVersionsTable {
  id: string;
  model_id: string;
  version: string;
  manifest_digest: string;
  files: string;
  location: string | null;
  upstream: string | null;
  signature: string | null;
  created_at: string;
  created_by: string;
}

export interface RegistryDatasetsTable {
  id: string;
  name: string;
  owner: string;
  description: string;
  data_classification: string;
  created_at: string;
  created_by: string;
}

export interface RegistryDatasetSnapshotsTable {
  id: string;
  dataset_id: string;
  label: string;
  manifest_digest: string;
  files: string;
  row_count: number | string; // pg returns bigint as a string
  data_schema: string;
  location: string | null;
  created_at: string;
  created_by: string;
}

export interface RegistryTrainingRunsTable {
  id: string;
  code_revision: string;
  params: string;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  created_by: string;
}

export interface RegistryStateChangesTable {
  id: string;
  subject_kind: string;
  subject_id: string;
  state: string;
  reason: string;
  actor: string;
  details: string;
  at: string;
}

export interface RegistryDeploymentsTable {
  id: string;
  endpoint: string;
  model_id: string;
  version_id: string | null;
  reason: string;
  actor: string;
  action_id: string | null;
  at: string;
}

export interface RegistryFingerprintsTable {
  id: string;
  version_id: string;
  probes: string; // JSON [{id, input, output}]
  tolerance: number;
  recorded_at: string;
  recorded_by: string;
}

/** The registry's slice of the database; `store.db.withTables<RegistryDatabase>()` gives it. */
// A type alias (not an interface) so it meets Kysely's `withTables<T extends Record<...>>`.
export type RegistryDatabase = {
  registry_models: RegistryModelsTable;
  registry_model_versions: RegistryModelVersionsTable;
  registry_datasets: RegistryDatasetsTable;
  registry_dataset_snapshots: RegistryDatasetSnapshotsTable;
  registry_training_runs: RegistryTrainingRunsTable;
  registry_run_inputs: { run_id: string; snapshot_id: string };
  registry_run_outputs: { run_id: string; version_id: string };
  registry_run_base_models: { run_id: string; version_id: string };
  registry_state_changes: RegistryStateChangesTable;
  registry_deployments: RegistryDeploymentsTable;
  registry_fingerprints: RegistryFingerprintsTable;
  registry_validations: RegistryValidationsTable;
};

export interface RegistryValidationsTable {
  id: string;
  version_id: string;
  against_version_id: string;
  snapshot_id: string;
  /** 1 when no metric dropped beyond the tolerance. */
  passed: number;
  /** Canonical JSON of the ValidationReport. */
  report: string;
  at: string;
  actor: string;
}
