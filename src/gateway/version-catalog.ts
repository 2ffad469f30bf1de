import type { ModelConfig } from '../config/index.js';
import type { LocalModel } from './gateway.js';

/** How one model version is served: an in-process model (null: not loaded) or an upstream URL. */
export type ServedVersion =
  | { readonly version: string; readonly digest: string | null; readonly local: LocalModel | null }
  | { readonly version: string; readonly digest: string | null; readonly upstream: string };

/**
 * The versions the gateway can route to, by model and version. The gateway reads it on every
 * request (two Map lookups, no I/O); the composition root adds versions once they are loaded
 * and verified, so a request resolves either the old entry or the new one, never a half-built
 * one. A request keeps the entry it resolved until it finishes.
 */
export interface VersionCatalog {
  get(model: string, version: string): ServedVersion | undefined;
  /** Adds or replaces one version; returns the entry it replaced, if any. */
  put(model: string, served: ServedVersion): ServedVersion | undefined;
  /** Removes one version; returns it, if it was there. */
  remove(model: string, version: string): ServedVersion | undefined;
}

export function createVersionCatalog(
  initial: Iterable<{ model: string; served: ServedVersion }> = [],
): VersionCatalog {
  const byModel = new Map<string, Map<string, ServedVersion>>();
  const catalog: VersionCatalog = {
    get: (model, version) => byModel.get(model)?.get(version),
    put(model, served) {
      let versions = byModel.get(model);
      if (!versions) byModel.set(model, (versions = new Map()));
      const previous = versions.get(served.version);
      versions.set(served.version, served);
      return previous;
    },
    remove(model, version) {
      const versions = byModel.get(model);
      const previous = versions?.get(version);
      versions?.delete(version);
      return previous;
    },
  };
  for (const { model, served } of initial) catalog.put(model, served);
  return catalog;
}

/** The versions listed in the config, with the in-process models loaded for them. */
export function configuredVersions(
  models: readonly ModelConfig[],
  localModels: ReadonlyMap<string, LocalModel>, // by `${model}@${version}`
): { model: string; served: ServedVersion }[] {
  return models.flatMap((m) =>
    m.versions.map((v) => {
      const local = localModels.get(`${m.id}@${v.version}`) ?? null;
      const served: ServedVersion =
        v.onnx !== undefined
          ? { version: v.version, digest: local?.digest ?? v.digest ?? null, local }
          : { version: v.version, digest: v.digest ?? null, upstream: v.upstream! };
      return { model: m.id, served };
    }),
  );
}
