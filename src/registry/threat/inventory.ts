import type { Registry } from '../create-registry.js';
import type { Criticality, DataClassification, VersionState } from '../types.js';

export const ASSET_KINDS = ['model', 'endpoint', 'dataset', 'pipeline'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** One asset of the inventory, with what the threat model needs to weigh its risks. */
export interface Asset {
  kind: AssetKind;
  id: string;
  owner: string;
  criticality: Criticality;
  dataClassification: DataClassification;
  /** Facts that change risk: signed, approved, served remotely, LLM, versions... */
  facts: {
    versions?: { version: string; state: VersionState; signed: boolean; remote: boolean }[];
    remote?: boolean;
    servedVersion?: string | null;
    snapshots?: number;
    codeRevisions?: string[];
    protocol?: string;
  };
}

/** The gateway's view of a configured model (a slice of the config's `models` entries). */
export interface ConfiguredModel {
  id: string;
  protocol: string;
  criticality: Criticality;
  owner?: string | undefined;
  versions: readonly {
    version: string;
    upstream?: string | undefined;
    onnx?: string | undefined;
  }[];
}

const MAX_CRITICALITY = (a: Criticality, b: Criticality): Criticality =>
  (['low', 'medium', 'high', 'critical'] as const)[
    Math.max(
      ['low', 'medium', 'high', 'critical'].indexOf(a),
      ['low', 'medium', 'high', 'critical'].indexOf(b),
    )
  ]!;

/**
 * Lists every asset: registered models (with version states), the endpoints the gateway
 * serves, datasets (with snapshot counts) and training pipelines (runs by code revision).
 */
export async function buildInventory(deps: {
  registry: Registry;
  configured: readonly ConfiguredModel[];
}): Promise<Asset[]> {
  const { registry } = deps;
  const assets: Asset[] = [];
  const registered = new Map<string, Asset>();
  for (const m of await registry.models()) {
    const { versions } = await registry.model(m.name);
    const asset: Asset = {
      kind: 'model',
      id: m.name,
      owner: m.owner,
      criticality: m.criticality,
      dataClassification: m.dataClassification,
      facts: {
        versions: versions.map((v) => ({
          version: v.version,
          state: v.state,
          signed: v.signature !== null,
          remote: v.location === null,
        })),
      },
    };
    registered.set(m.name, asset);
    assets.push(asset);
  }
  for (const c of deps.configured) {
    const model = registered.get(c.id);
    const served = (await registry.lineage.behind(c.id)).version?.version ?? null;
    assets.push({
      kind: 'endpoint',
      id: c.id,
      owner: c.owner ?? model?.owner ?? 'unassigned',
      criticality: MAX_CRITICALITY(c.criticality, model?.criticality ?? 'low'),
      dataClassification: model?.dataClassification ?? 'internal',
      facts: {
        protocol: c.protocol,
        remote: c.versions.some((v) => v.upstream !== undefined),
        servedVersion: served,
      },
    });
  }
  for (const d of await registry.repository.datasets()) {
    const snapshots = await registry.repository.snapshots(d.id);
    assets.push({
      kind: 'dataset',
      id: d.name,
      owner: d.owner,
      criticality: 'medium',
      dataClassification: d.dataClassification,
      facts: { snapshots: snapshots.length },
    });
    const runs = (
      await Promise.all(snapshots.map((s) => registry.repository.runsReading(s.id)))
    ).flat();
    if (runs.length > 0) {
      const revisions = [...new Set(runs.map((r) => r.codeRevision))].sort();
      assets.push({
        kind: 'pipeline',
        id: `training:${d.name}`,
        owner: d.owner,
        criticality: 'high',
        dataClassification: d.dataClassification,
        facts: { codeRevisions: revisions },
      });
    }
  }
  return assets;
}
