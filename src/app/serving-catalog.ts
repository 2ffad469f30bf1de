import type { ModelConfig } from '../config/index.js';
import { AppError, isAppError, type PolicySnapshot, type AuditEntry } from '../core/index.js';
import type { LocalModel, ServedVersion, VersionCatalog } from '../gateway/index.js';
import { servingPlan, type Registry, type VersionView } from '../registry/index.js';

/** An in-process model the catalogue may have to close once nothing uses it. */
export type LoadedModel = LocalModel & { close(): Promise<void> };

export interface ServingCatalogDeps {
  models: readonly ModelConfig[];
  catalog: VersionCatalog;
  registry: Registry;
  /** Loads an ONNX file, refusing bytes whose SHA-256 is not `expectedDigest`. */
  load: (file: string, expectedDigest: string) => Promise<LoadedModel>;
  audit: (entry: AuditEntry) => Promise<void>;
  /** How long a withdrawn in-process model stays open for the requests still using it. */
  drainMs: number;
}

const KNOWN_GOOD = ['approved', 'deployed'];

/** What createServingCatalog returns. */
export interface ServingCatalog {
  prepare: (model: string, version: string) => Promise<void>;
  /**
   * The action service's check for `pin_version`: a configured version, or a known-good
   * registry version made ready now. Returns why a target is unknown or not allowed; throws
   * the verification or load error (naming the version and the reason) when it cannot serve.
   */
  checkPin(model: string, version: string): Promise<string | null>;
  /**
   * Withdraws every loaded registry version the registry now holds as quarantined or revoked
   * (a gateway runs it on each policy change: the quarantine may have come through another
   * process's admin API).
   */
  recheck(): Promise<void>;
  /** Takes a quarantined or revoked registry version out of the catalogue (configured ones stay). */
  withdraw: (model: string, version: string) => void;
  close(): Promise<void>;
}

/**
 * Feeds the gateway's version catalogue from the registry, beside the versions in aisoc.yaml: a
 * known-good registry version is made ready (ONNX loaded after its files, digests and signature
 * are verified, or its upstream URL taken) before any pin may name it, then put in the catalogue
 * in one step. A version that fails is never put there; the failure goes to the audit ledger.
 */
export function createServingCatalog(deps: ServingCatalogDeps): ServingCatalog {
  const { catalog, registry } = deps;
  const fromRegistry = new Map<string, LoadedModel | null>(); // `${model}@${version}` → session
  const preparing = new Map<string, Promise<void>>();
  const configured = (model: string, version: string) =>
    deps.models.find((m) => m.id === model)?.versions.some((v) => v.version === version) ?? false;

  async function registered(model: string, version: string): Promise<VersionView | null> {
    try {
      return await registry.version(model, version);
    } catch (error) {
      if (isAppError(error) && error.code === 'REGISTRY_NOT_FOUND') return null;
      throw error;
    }
  }

  async function inRegistry(model: string): Promise<boolean> {
    try {
      await registry.model(model);
      return true;
    } catch (error) {
      if (isAppError(error) && error.code === 'REGISTRY_NOT_FOUND') return false;
      throw error;
    }
  }

  async function load(model: string, view: VersionView): Promise<void> {
    const plan = servingPlan(model, view);
    let served: ServedVersion;
    let session: LoadedModel | null = null;
    if (plan.kind === 'onnx') {
      // checkLoad: not quarantined or revoked, files match the manifest, signature verifies;
      // the loader then hashes the bytes it loads against the manifest's digest.
      await registry.checkLoad(model, view.version, view.location!);
      session = await deps.load(plan.file, plan.digest);
      served = { version: view.version, digest: session.digest, local: session };
    } else {
      await registry.verify(model, view.version);
      served = { version: view.version, digest: view.manifestDigest, upstream: plan.url };
    }
    const key = `${model}@${view.version}`;
    const previous = fromRegistry.get(key);
    catalog.put(model, served);
    fromRegistry.set(key, session);
    if (previous) drain(previous);
  }

  function drain(session: LoadedModel): void {
    setTimeout(() => void session.close().catch(() => undefined), deps.drainMs).unref();
  }

  function withdraw(model: string, version: string): void {
    const key = `${model}@${version}`;
    if (!fromRegistry.has(key)) return;
    const session = fromRegistry.get(key);
    fromRegistry.delete(key);
    catalog.remove(model, version);
    if (session) drain(session);
  }

  /** Makes a registry version servable (once; concurrent callers share the work). */
  async function prepare(model: string, version: string): Promise<void> {
    const key = `${model}@${version}`;
    if (catalog.get(model, version)) return;
    const running = preparing.get(key);
    if (running) return running;
    const work = (async () => {
      const view = await registered(model, version);
      if (!view || !KNOWN_GOOD.includes(view.state))
        throw new AppError(
          'REGISTRY_VERSION_UNSERVABLE',
          `${key} is ${view ? view.state : 'not in the registry'}; only a known-good (approved) registry version is served`,
          { status: 422 },
        );
      try {
        await load(model, view);
      } catch (error) {
        const code = isAppError(error) ? error.code : 'SERVE_FAILED';
        await deps.audit({
          type: 'registry.model_version.load_refused',
          at: new Date().toISOString(),
          model,
          version,
          code,
          reason: (error as Error).message,
        });
        throw error;
      }
    })().finally(() => preparing.delete(key));
    preparing.set(key, work);
    return work;
  }

  return {
    prepare,
    /**
     * The action service's check for `pin_version`: a configured version, or a known-good
     * registry version made ready now. Returns why a target is unknown or not allowed; throws
     * the verification or load error (naming the version and the reason) when it cannot serve.
     */
    async checkPin(model: string, version: string): Promise<string | null> {
      const view = await registered(model, version);
      if (!view && !deps.models.some((m) => m.id === model) && !(await inRegistry(model)))
        return `no model "${model}" in aisoc.yaml or in the registry`;
      if (view && (view.state === 'quarantined' || view.state === 'revoked'))
        return `model "${model}" version "${version}" is ${view.state} in the registry; pin only a known-good (approved) version`;
      if (configured(model, version)) return null;
      if (!view)
        return `model "${model}" has no version "${version}" in aisoc.yaml or in the registry`;
      if (!KNOWN_GOOD.includes(view.state))
        return `model "${model}" version "${version}" is ${view.state} in the registry, not approved; approve it before pinning it`;
      await prepare(model, version);
      return null;
    },
    /**
     * Withdraws every loaded registry version the registry now holds as quarantined or revoked
     * (a gateway runs it on each policy change: the quarantine may have come through another
     * process's admin API).
     */
    async recheck(): Promise<void> {
      for (const key of [...fromRegistry.keys()]) {
        const at = key.lastIndexOf('@');
        const [model, version] = [key.slice(0, at), key.slice(at + 1)];
        const view = await registered(model, version);
        if (!view || view.state === 'quarantined' || view.state === 'revoked')
          withdraw(model, version);
      }
    },
    /** Takes a quarantined or revoked registry version out of the catalogue (configured ones stay). */
    withdraw,
    async close(): Promise<void> {
      await Promise.allSettled([...preparing.values()]);
      for (const session of fromRegistry.values()) await session?.close().catch(() => undefined);
      fromRegistry.clear();
    },
  };
}

/**
 * The gateway's lookup for models that only the registry knows: one is routed while a
 * deployment or a pin names a version of it. It speaks KServe V2 (the built-in server's
 * protocol, and the path appended to a registered upstream URL) with the config's defaults.
 */
export function registryOnlyModels(
  models: readonly ModelConfig[],
  snapshot: () => PolicySnapshot,
): (id: string) => ModelConfig | undefined {
  const configured = new Set(models.map((m) => m.id));
  const made = new Map<string, ModelConfig>();
  return (id) => {
    if (configured.has(id)) return undefined;
    const policy = snapshot();
    if (!policy.deployed.has(id) && !policy.pinned.has(id)) return undefined;
    let model = made.get(id);
    if (!model) {
      model = {
        id,
        protocol: 'kserve-v2',
        versions: [],
        criticality: 'medium',
        dataSensitivity: 'internal',
        tags: [],
        decoy: false,
        regulations: [],
      };
      made.set(id, model);
    }
    return model;
  };
}
