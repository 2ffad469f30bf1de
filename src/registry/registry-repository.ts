import type { Kysely } from 'kysely';
import type { RegistryDatabase } from './schema.js';
import {
  json,
  toDataset,
  toDeployment,
  toModel,
  toSnapshot,
  toStateChange,
  toVersion,
} from './row-mapping.js';
import type {
  Dataset,
  DatasetSnapshot,
  Deployment,
  Model,
  ModelVersion,
  StateChange,
  StoredFingerprint,
  TrainingRun,
} from './types.js';

/** Insert-only access to the registry tables; nothing here updates or deletes a row. */
export interface RegistryRepository {
  insertModel(m: Model): Promise<void>;
  model(by: { id: string } | { name: string }): Promise<Model | undefined>;
  models(): Promise<Model[]>;
  insertVersion(v: ModelVersion): Promise<void>;
  version(id: string): Promise<ModelVersion | undefined>;
  versionByName(modelId: string, version: string): Promise<ModelVersion | undefined>;
  versions(modelId: string): Promise<ModelVersion[]>;
  insertDataset(d: Dataset): Promise<void>;
  dataset(by: { id: string } | { name: string }): Promise<Dataset | undefined>;
  datasets(): Promise<Dataset[]>;
  insertSnapshot(s: DatasetSnapshot): Promise<void>;
  snapshot(id: string): Promise<DatasetSnapshot | undefined>;
  snapshotByLabel(datasetId: string, label: string): Promise<DatasetSnapshot | undefined>;
  snapshots(datasetId: string): Promise<DatasetSnapshot[]>;
  insertRun(run: TrainingRun): Promise<void>;
  run(id: string): Promise<TrainingRun | undefined>;
  /** Runs that read the snapshot, or that produced the version. */
  runsReading(snapshotId: string): Promise<TrainingRun[]>;
  runsProducing(versionId: string): Promise<TrainingRun[]>;
  insertStateChange(c: StateChange): Promise<void>;
  /** Oldest first. */
  stateHistory(subjectId: string): Promise<StateChange[]>;
  insertDeployment(d: Omit<Deployment, 'until'>): Promise<void>;
  /** Every deployment on the endpoint, oldest first, each with the time the next began. */
  deployments(endpoint: string): Promise<Deployment[]>;
  /** Every deployment, on any endpoint, of any of these versions (with `until`). */
  deploymentsOf(versionIds: readonly string[]): Promise<Deployment[]>;
  endpoints(): Promise<string[]>;
  insertFingerprint(f: StoredFingerprint): Promise<void>;
  /** The latest fingerprint of each version that has one. */
  latestFingerprints(): Promise<StoredFingerprint[]>;
}

/** The registry's repository over either engine (pass `store.db.withTables<RegistryDatabase>()`). */
export function createRegistryRepository(db: Kysely<RegistryDatabase>): RegistryRepository {
  const runLinks = async (ids: string[]): Promise<TrainingRun[]> => {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('registry_training_runs')
      .selectAll()
      .where('id', 'in', ids)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const inputs = await db
      .selectFrom('registry_run_inputs')
      .selectAll()
      .where('run_id', 'in', ids)
      .execute();
    const outputs = await db
      .selectFrom('registry_run_outputs')
      .selectAll()
      .where('run_id', 'in', ids)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      codeRevision: r.code_revision,
      params: JSON.parse(r.params) as Record<string, unknown>,
      inputs: inputs
        .filter((i) => i.run_id === r.id)
        .map((i) => i.snapshot_id)
        .sort(),
      outputs: outputs
        .filter((o) => o.run_id === r.id)
        .map((o) => o.version_id)
        .sort(),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  };
  const endpointDeployments = async (endpoint: string): Promise<Deployment[]> => {
    const rows = await db
      .selectFrom('registry_deployments')
      .selectAll()
      .where('endpoint', '=', endpoint)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r, i) => toDeployment(r, rows[i + 1]?.at ?? null));
  };
  return {
    insertModel: async (m) => {
      await db
        .insertInto('registry_models')
        .values({
          id: m.id,
          name: m.name,
          owner: m.owner,
          description: m.description,
          criticality: m.criticality,
          data_classification: m.dataClassification,
          created_at: m.createdAt,
          created_by: m.createdBy,
        })
        .execute();
    },
    model: async (by) => {
      const q = db.selectFrom('registry_models').selectAll();
      const row = await (
        'id' in by ? q.where('id', '=', by.id) : q.where('name', '=', by.name)
      ).executeTakeFirst();
      return row && toModel(row);
    },
    models: async () =>
      (await db.selectFrom('registry_models').selectAll().orderBy('name').execute()).map(toModel),
    insertVersion: async (v) => {
      await db
        .insertInto('registry_model_versions')
        .values({
          id: v.id,
          model_id: v.modelId,
          version: v.version,
          manifest_digest: v.manifestDigest,
          files: json(v.files),
          location: v.location,
          upstream: v.upstream,
          signature: v.signature,
          created_at: v.createdAt,
          created_by: v.createdBy,
        })
        .execute();
    },
    version: async (id) => {
      const row = await db
        .selectFrom('registry_model_versions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toVersion(row);
    },
    versionByName: async (modelId, version) => {
      const row = await db
        .selectFrom('registry_model_versions')
        .selectAll()
        .where('model_id', '=', modelId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toVersion(row);
    },
    versions: async (modelId) =>
      (
        await db
          .selectFrom('registry_model_versions')
          .selectAll()
          .where('model_id', '=', modelId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toVersion),
    insertDataset: async (d) => {
      await db
        .insertInto('registry_datasets')
        .values({
          id: d.id,
          name: d.name,
          owner: d.owner,
          description: d.description,
          data_classification: d.dataClassification,
          created_at: d.createdAt,
          created_by: d.createdBy,
        })
        .execute();
    },
    dataset: async (by) => {
      const q = db.selectFrom('registry_datasets').selectAll();
      const row = await (
        'id' in by ? q.where('id', '=', by.id) : q.where('name', '=', by.name)
      ).executeTakeFirst();
      return row && toDataset(row);
    },
    datasets: async () =>
      (await db.selectFrom('registry_datasets').selectAll().orderBy('name').execute()).map(
        toDataset,
      ),
    insertSnapshot: async (s) => {
      await db
        .insertInto('registry_dataset_snapshots')
        .values({
          id: s.id,
          dataset_id: s.datasetId,
          label: s.label,
          manifest_digest: s.manifestDigest,
          files: json(s.files),
          row_count: s.rowCount,
          data_schema: json(s.schema),
          location: s.location,
          created_at: s.createdAt,
          created_by: s.createdBy,
        })
        .execute();
    },
    snapshot: async (id) => {
      const row = await db
        .selectFrom('registry_dataset_snapshots')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toSnapshot(row);
    },
    snapshotByLabel: async (datasetId, label) => {
      const row = await db
        .selectFrom('registry_dataset_snapshots')
        .selectAll()
        .where('dataset_id', '=', datasetId)
        .where('label', '=', label)
        .executeTakeFirst();
      return row && toSnapshot(row);
    },
    snapshots: async (datasetId) =>
      (
        await db
          .selectFrom('registry_dataset_snapshots')
          .selectAll()
          .where('dataset_id', '=', datasetId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toSnapshot),
    insertRun: async (run) => {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('registry_training_runs')
          .values({
            id: run.id,
            code_revision: run.codeRevision,
            params: json(run.params),
            started_at: run.startedAt,
            finished_at: run.finishedAt,
            created_at: run.createdAt,
            created_by: run.createdBy,
          })
          .execute();
        for (const snapshotId of new Set(run.inputs))
          await tx
            .insertInto('registry_run_inputs')
            .values({ run_id: run.id, snapshot_id: snapshotId })
            .execute();
        for (const versionId of new Set(run.outputs))
          await tx
            .insertInto('registry_run_outputs')
            .values({ run_id: run.id, version_id: versionId })
            .execute();
      });
    },
    run: async (id) => (await runLinks([id]))[0],
    runsReading: async (snapshotId) => {
      const links = await db
        .selectFrom('registry_run_inputs')
        .select('run_id')
        .where('snapshot_id', '=', snapshotId)
        .execute();
      return runLinks(links.map((l) => l.run_id));
    },
    runsProducing: async (versionId) => {
      const links = await db
        .selectFrom('registry_run_outputs')
        .select('run_id')
        .where('version_id', '=', versionId)
        .execute();
      return runLinks(links.map((l) => l.run_id));
    },
    insertStateChange: async (c) => {
      await db
        .insertInto('registry_state_changes')
        .values({
          id: c.id,
          subject_kind: c.subjectKind,
          subject_id: c.subjectId,
          state: c.state,
          reason: c.reason,
          actor: c.actor,
          details: json(c.details),
          at: c.at,
        })
        .execute();
    },
    stateHistory: async (subjectId) =>
      (
        await db
          .selectFrom('registry_state_changes')
          .selectAll()
          .where('subject_id', '=', subjectId)
          .orderBy('at')
          .orderBy('id')
          .execute()
      ).map(toStateChange),
    insertDeployment: async (d) => {
      await db
        .insertInto('registry_deployments')
        .values({
          id: d.id,
          endpoint: d.endpoint,
          model_id: d.modelId,
          version_id: d.versionId,
          reason: d.reason,
          actor: d.actor,
          action_id: d.actionId,
          at: d.at,
        })
        .execute();
    },
    deployments: endpointDeployments,
    deploymentsOf: async (versionIds) => {
      if (versionIds.length === 0) return [];
      const endpoints = await db
        .selectFrom('registry_deployments')
        .select('endpoint')
        .distinct()
        .where('version_id', 'in', versionIds)
        .execute();
      const all = await Promise.all(endpoints.map((e) => endpointDeployments(e.endpoint)));
      return all.flat().filter((d) => d.versionId !== null && versionIds.includes(d.versionId));
    },
    insertFingerprint: async (f) => {
      await db
        .insertInto('registry_fingerprints')
        .values({
          id: f.id,
          version_id: f.versionId,
          probes: json(f.probes),
          tolerance: f.tolerance,
          recorded_at: f.recordedAt,
          recorded_by: f.recordedBy,
        })
        .execute();
    },
    latestFingerprints: async () => {
      const rows = await db
        .selectFrom('registry_fingerprints')
        .selectAll()
        .orderBy('recorded_at')
        .orderBy('id')
        .execute();
      const latest = new Map(rows.map((r) => [r.version_id, r]));
      return [...latest.values()].map((r) => ({
        id: r.id,
        versionId: r.version_id,
        probes: JSON.parse(r.probes) as StoredFingerprint['probes'],
        tolerance: Number(r.tolerance),
        recordedAt: r.recorded_at,
        recordedBy: r.recorded_by,
      }));
    },
    endpoints: async () =>
      (
        await db
          .selectFrom('registry_deployments')
          .select('endpoint')
          .distinct()
          .orderBy('endpoint')
          .execute()
      ).map((r) => r.endpoint),
  };
}
