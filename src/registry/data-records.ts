import { createId } from '../core/index.js';
import { registryError } from './errors.js';
import { hashModel, rootDigest, sortFiles } from './oms/model-manifest.js';
import { conflictOnConstraint, type RegistryContext } from './registry-context.js';
import {
  DatasetInputSchema,
  parseInput,
  RunInputSchema,
  SnapshotInputSchema,
  type DatasetInput,
  type RunInput,
  type SnapshotInput,
} from './registry-input.js';
import type { Dataset, DatasetSnapshot, StateChange, TrainingRun } from './types.js';

/** Datasets, snapshots and training runs: the data half of provenance. */
export function createDataRecords(ctx: RegistryContext) {
  const { repo, clock, now, findVersion, transition } = ctx;

  /**
   * NAME@X in a run's inputs: a dataset snapshot, or else a registered model version (a base
   * model the run fine-tuned), so `--inputs fraud-base@3,transactions@2026-11` reads naturally.
   */
  const snapshotOrBase = async (
    name: string,
    at: string,
  ): Promise<{ kind: 'snapshot' | 'base'; id: string }> => {
    const ds = await repo.dataset({ name });
    const snapshot = ds && (await repo.snapshotByLabel(ds.id, at));
    const model = await repo.model({ name });
    const version = model && (await repo.versionByName(model.id, at));
    if (snapshot && version)
      throw registryError(
        'REGISTRY_INPUT_INVALID',
        `training run input ${name}@${at} names both a dataset snapshot and a model version; give the model under baseModels (--base-models)`,
      );
    if (snapshot) return { kind: 'snapshot', id: snapshot.id };
    if (version) return { kind: 'base', id: version.id };
    throw registryError(
      'REGISTRY_NOT_FOUND',
      `training run input ${name}@${at} is neither a registered dataset snapshot nor a model version`,
    );
  };

  /** A run may not produce one of its own ancestors (lineage must stay a DAG). */
  const refuseCycles = async (bases: string[], outputs: string[]) => {
    const seen = new Set<string>();
    let frontier = [...bases];
    for (let depth = 0; frontier.length > 0 && depth < 64; depth++) {
      const clash = frontier.find((id) => outputs.includes(id));
      if (clash)
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          `training run would make version ${clash} its own ancestor (an output is among its base models' lineage)`,
        );
      const next: string[] = [];
      for (const id of frontier) {
        if (seen.has(id)) continue;
        seen.add(id);
        for (const r of await repo.runsProducing(id)) next.push(...r.baseModels);
      }
      frontier = next;
    }
  };
  return {
    async registerDataset(input: DatasetInput, actor: string): Promise<Dataset> {
      const p = parseInput(DatasetInputSchema, input, 'dataset');
      if (await repo.dataset({ name: p.name }))
        throw registryError('REGISTRY_CONFLICT', `dataset ${p.name} already exists`);
      const d: Dataset = {
        id: createId('ds', clock.now()),
        ...p,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertDataset(d).catch(conflictOnConstraint(`dataset ${p.name}`));
      await ctx.audit({
        type: 'registry.dataset.registered',
        actor,
        at: d.createdAt,
        datasetId: d.id,
        name: d.name,
        owner: d.owner,
      });
      return d;
    },
    async registerSnapshot(input: SnapshotInput, actor: string): Promise<DatasetSnapshot> {
      const p = parseInput(SnapshotInputSchema, input, 'snapshot');
      const ds = await repo.dataset({ name: p.dataset });
      if (!ds) throw registryError('REGISTRY_NOT_FOUND', `dataset ${p.dataset} is not registered`);
      if (await repo.snapshotByLabel(ds.id, p.label))
        throw registryError('REGISTRY_CONFLICT', `${p.dataset}@${p.label} already exists`);
      const [frozen] = await repo.activeFreezes(ds.name);
      if (frozen)
        throw registryError(
          'REGISTRY_DATASET_FROZEN',
          `dataset ${ds.name} is frozen by incident ${frozen.incidentId} since ${frozen.frozenAt} (${frozen.reason}); no new snapshot until it is thawed: \`aisoc incidents lift ${frozen.incidentId}\``,
        );
      const files =
        p.location !== undefined ? (await hashModel(p.location)).files : sortFiles(p.files ?? []);
      const s: DatasetSnapshot = {
        id: createId('snap', clock.now()),
        datasetId: ds.id,
        label: p.label,
        manifestDigest: rootDigest(files),
        files,
        rowCount: p.rowCount,
        schema: p.schema,
        location: p.location ?? null,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertSnapshot(s).catch(conflictOnConstraint(`${p.dataset}@${p.label}`));
      await ctx.audit({
        type: 'registry.dataset_snapshot.registered',
        actor,
        at: s.createdAt,
        dataset: ds.name,
        label: s.label,
        snapshotId: s.id,
        manifestDigest: s.manifestDigest,
        rowCount: s.rowCount,
      });
      return s;
    },
    async setSnapshotState(
      dataset: string,
      label: string,
      state: 'approved' | 'quarantined' | 'revoked',
      actor: string,
      reason: string,
    ): Promise<StateChange> {
      const ds = await repo.dataset({ name: dataset });
      const s = ds && (await repo.snapshotByLabel(ds.id, label));
      if (!s)
        throw registryError(
          'REGISTRY_NOT_FOUND',
          `dataset snapshot ${dataset}@${label} is not registered`,
        );
      return transition('dataset_snapshot', { id: s.id, label: `${dataset}@${label}` }, state, {
        actor,
        reason,
      });
    },
    async recordRun(input: RunInput, actor: string): Promise<TrainingRun> {
      const p = parseInput(RunInputSchema, input, 'training run');
      const inputs: string[] = [];
      const baseModels: string[] = [];
      for (const i of p.inputs) {
        const found = await snapshotOrBase(i.dataset, i.label);
        (found.kind === 'snapshot' ? inputs : baseModels).push(found.id);
      }
      for (const b of p.baseModels)
        baseModels.push((await findVersion(b.model, b.version)).version.id);
      const outputs = await Promise.all(
        p.outputs.map(async (o) => (await findVersion(o.model, o.version)).version.id),
      );
      await refuseCycles(baseModels, outputs);
      const run: TrainingRun = {
        id: createId('run', clock.now()),
        codeRevision: p.codeRevision,
        params: p.params,
        inputs,
        outputs,
        baseModels: [...new Set(baseModels)],
        startedAt: p.startedAt ?? null,
        finishedAt: p.finishedAt ?? null,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertRun(run);
      await ctx.audit({
        type: 'registry.training_run.recorded',
        actor,
        at: run.createdAt,
        runId: run.id,
        codeRevision: run.codeRevision,
        inputs,
        outputs,
        baseModels: run.baseModels,
      });
      return run;
    },
  };
}
