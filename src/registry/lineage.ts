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

/** One version in a base model's family tree, with where it serves. */
export interface LineageVersion {
  model: string;
  version: ModelVersion;
  state: VersionState;
  deployments: Deployment[];
  /** Endpoints the version serves now. */
  liveEndpoints: string[];
}

/** "What was trained on snapshot S, and where is it deployed?" */
export interface SnapshotLineage {
  dataset: Dataset;
  snapshot: DatasetSnapshot;
  state: VersionState;
  runs: TrainingRun[];
  versions: LineageVersion[];
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
  runs: {
    run: TrainingRun;
    inputs: { dataset: string; snapshot: DatasetSnapshot }[];
    /** The base models the run fine-tuned, as MODEL@VERSION. */
    bases: string[];
  }[];
}

/** "This base model is compromised: what was fine-tuned from it, and what does that serve?" */
export interface ModelDescendants {
  root: LineageVersion;
  /** Every version fine-tuned from the root, directly or not, breadth-first. */
  descendants: (LineageVersion & { depth: number; run: string; base: string })[];
  /** Endpoints served now by the root or any descendant. */
  affectedEndpoints: { endpoint: string; model: string; version: string }[];
}

export interface Lineage {
  trainedOn(dataset: string, label: string): Promise<SnapshotLineage>;
  behind(endpoint: string, at?: string): Promise<EndpointProvenance>;
  descendantsOf(model: string, version: string): Promise<ModelDescendants>;
}

/** How deep a chain of fine-tunes lineage follows. */
const MAX_LINEAGE_DEPTH = 64;

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
  const versionText = async (versionId: string) => {
    const v = (await repo.version(versionId))!;
    return { v, text: `${await nameOf(v.modelId)}@${v.version}` };
  };
  const describe = async (v: ModelVersion): Promise<LineageVersion> => {
    const deployments = await repo.deploymentsOf([v.id]);
    return {
      model: await nameOf(v.modelId),
      version: v,
      state: stateAt(await repo.stateHistory(v.id)),
      deployments,
      liveEndpoints: deployments.filter((d) => d.until === null).map((d) => d.endpoint),
    };
  };
  return {
    async descendantsOf(model, version) {
      const m = await repo.model({ name: model });
      const v = m && (await repo.versionByName(m.id, version));
      if (!v) throw registryError('REGISTRY_NOT_FOUND', `model ${model} has no version ${version}`);
      const root = await describe(v);
      const descendants: ModelDescendants['descendants'] = [];
      const seen = new Set([v.id]);
      let frontier = [v.id];
      for (let depth = 1; frontier.length > 0 && depth <= MAX_LINEAGE_DEPTH; depth++) {
        const next: string[] = [];
        for (const id of frontier) {
          const base = (await versionText(id)).text;
          for (const run of await repo.runsBasedOn(id))
            for (const out of run.outputs) {
              if (seen.has(out)) continue;
              seen.add(out);
              next.push(out);
              const d = await describe((await repo.version(out))!);
              descendants.push({ ...d, depth, run: run.id, base });
            }
        }
        frontier = next;
      }
      return {
        root,
        descendants,
        affectedEndpoints: [root, ...descendants].flatMap((d) =>
          d.liveEndpoints.map((endpoint) => ({
            endpoint,
            model: d.model,
            version: d.version.version,
          })),
        ),
      };
    },
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
      const versions = [];
      for (const id of versionIds) versions.push(await describe((await repo.version(id))!));
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
        const bases = [];
        for (const id of run.baseModels) bases.push((await versionText(id)).text);
        runs.push({ run, inputs, bases });
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
