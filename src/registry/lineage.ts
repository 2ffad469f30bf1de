import { registryError } from './errors.js';
import type { RegistryRepository } from './registry-repository.js';
import type {
  Dataset,
  DatasetSnapshot,
  Deployment,
  Model,
  ModelVersion,
  StateChange,
  TrainingRun,
  VersionState,
} from './types.js';

/** "What was trained on snapshot S, and where is it deployed?" */
export interface SnapshotLineage {
  dataset: Dataset;
  snapshot: DatasetSnapshot;
  state: VersionState;
  runs: TrainingRun[];
  versions: {
    model: string;
    version: ModelVersion;
    state: VersionState;
    deployments: Deployment[];
    /** Endpoints the version serves now. */
    liveEndpoints: string[];
  }[];
}

/** "What data and code produced the model answering endpoint E at time T?" */
export interface EndpointProvenance {
  endpoint: string;
  at: string;
  /** null when nothing was deployed there at that time. */
  deployment: Deployment | null;
  model: Model | null;
  version: ModelVersion | null;
  /** The version's state at that time (state changes up to `at`). */
  stateAt: VersionState | null;
  runs: { run: TrainingRun; inputs: { dataset: string; snapshot: DatasetSnapshot }[] }[];
}

export interface Lineage {
  trainedOn(dataset: string, label: string): Promise<SnapshotLineage>;
  behind(endpoint: string, at?: string): Promise<EndpointProvenance>;
}

function stateAt(history: readonly StateChange[], at?: string): VersionState {
  const upTo = at === undefined ? history : history.filter((c) => c.at <= at);
  return upTo.at(-1)?.state ?? 'registered';
}

/** Lineage queries both ways over the registry's records. */
export function createLineage(repo: RegistryRepository): Lineage {
  const modelName = new Map<string, string>();
  const nameOf = async (modelId: string) => {
    if (!modelName.has(modelId))
      modelName.set(modelId, (await repo.model({ id: modelId }))?.name ?? modelId);
    return modelName.get(modelId)!;
  };
  return {
    async trainedOn(dataset, label) {
      const ds = await repo.dataset({ name: dataset });
      const snapshot = ds && (await repo.snapshotByLabel(ds.id, label));
      if (!ds || !snapshot)
        throw registryError(
          'REGISTRY_NOT_FOUND',
          `dataset snapshot ${dataset}@${label} is not registered`,
        );
      const runs = await repo.runsReading(snapshot.id);
      const versionIds = [...new Set(runs.flatMap((r) => r.outputs))];
      const deployments = await repo.deploymentsOf(versionIds);
      const versions = [];
      for (const id of versionIds) {
        const version = (await repo.version(id))!;
        const mine = deployments.filter((d) => d.versionId === id);
        versions.push({
          model: await nameOf(version.modelId),
          version,
          state: stateAt(await repo.stateHistory(id)),
          deployments: mine,
          liveEndpoints: mine.filter((d) => d.until === null).map((d) => d.endpoint),
        });
      }
      return {
        dataset: ds,
        snapshot,
        state: stateAt(await repo.stateHistory(snapshot.id)),
        runs,
        versions,
      };
    },
    async behind(endpoint, when) {
      const time = when === undefined ? Date.now() : Date.parse(when);
      if (Number.isNaN(time))
        throw registryError('REGISTRY_INPUT_INVALID', `time ${when} is not an ISO 8601 date`);
      const at = new Date(time).toISOString(); // same shape as stored times, so strings compare
      // The deployment in force at `at`: the last one that started at or before it.
      const deployment =
        (await repo.deployments(endpoint)).filter((d) => d.at <= at).at(-1) ?? null;
      const empty = {
        endpoint,
        at,
        deployment,
        model: null,
        version: null,
        stateAt: null,
        runs: [],
      };
      if (!deployment?.versionId) return empty;
      const version = (await repo.version(deployment.versionId))!;
      const model = (await repo.model({ id: version.modelId }))!;
      const runs = [];
      for (const run of await repo.runsProducing(version.id)) {
        const inputs = [];
        for (const id of run.inputs) {
          const snapshot = (await repo.snapshot(id))!;
          inputs.push({
            dataset: (await repo.dataset({ id: snapshot.datasetId }))!.name,
            snapshot,
          });
        }
        runs.push({ run, inputs });
      }
      return {
        ...empty,
        model,
        version,
        stateAt: stateAt(await repo.stateHistory(version.id), at),
        runs,
      };
    },
  };
}
