import type { Kysely } from 'kysely';
import type { RegistryDatabase } from './schema.js';
import { json, toDataset, toSnapshot } from './row-mapping.js';
import type { Dataset, DatasetSnapshot, TrainingRun } from './types.js';

/** Insert-only rows of datasets, their snapshots and the training runs that link them. */
export interface DataRows {
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
  /** Runs that fine-tuned the version (it is their base model). */
  runsBasedOn(versionId: string): Promise<TrainingRun[]>;
  /** Active training-pipeline freezes (made by incident response) covering the dataset. */
  activeFreezes(dataset: string): Promise<DatasetFreeze[]>;
}

/** A freeze of a dataset's pipeline by an incident's playbook (`freeze_pipeline`). */
export interface DatasetFreeze {
  id: string;
  incidentId: string;
  reason: string;
  frozenAt: string;
}

/** The columns of `0013_pipeline_freezes` the registry reads (respond owns the table). */
type FreezeRows = {
  pipeline_freezes: {
    id: string;
    incident_id: string;
    datasets: string;
    reason: string;
    frozen_at: string;
    thawed_at: string | null;
  };
};

export function createDataRows(db: Kysely<RegistryDatabase>): DataRows {
  const freezes = db.withTables<FreezeRows>();
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
    const bases = await db
      .selectFrom('registry_run_base_models')
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
      baseModels: bases
        .filter((b) => b.run_id === r.id)
        .map((b) => b.version_id)
        .sort(),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  };
  const activeFreezes = async (dataset: string): Promise<DatasetFreeze[]> => {
    const rows = await freezes
      .selectFrom('pipeline_freezes')
      .select(['id', 'incident_id', 'datasets', 'reason', 'frozen_at'])
      .where('thawed_at', 'is', null)
      .orderBy('frozen_at')
      .execute();
    return rows
      .filter((r) => {
        const names = JSON.parse(r.datasets) as string[];
        return names.includes('*') || names.includes(dataset);
      })
      .map((r) => ({
        id: r.id,
        incidentId: r.incident_id,
        reason: r.reason,
        frozenAt: r.frozen_at,
      }));
  };
  return {
    activeFreezes,
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
        for (const versionId of new Set(run.baseModels))
          await tx
            .insertInto('registry_run_base_models')
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
    runsBasedOn: async (versionId) => {
      const links = await db
        .selectFrom('registry_run_base_models')
        .select('run_id')
        .where('version_id', '=', versionId)
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
  };
}
