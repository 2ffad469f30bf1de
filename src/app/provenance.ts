import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './demo.js';
import { createValidationInfer } from './validation-infer.js';
import type { RegistryServices } from '../api/index.js';
export type { ActionChange } from '../registry/index.js';
import type { AisocConfig } from '../config/index.js';
import type { Alert, AuditEntry } from '../core/index.js';
import {
  buildInventory,
  createAdmission,
  createIntegrityMonitor,
  createRegistry,
  createRollback,
  loadAtlasCatalog,
  loadPublicKey,
  recordFingerprint,
  parsePemCertificates,
  renderThreatModel,
  createServedRegistry,
  createServingRecorder,
  createValidation,
  type ActionChange,
  type Validation,
  type ActionControl,
  type Fingerprint,
  type MonitoredArtifacts,
  type Registry,
  type RegistryDatabase,
  type TrustAnchor,
} from '../registry/index.js';
import { scan } from '../scan/index.js';
import type { Store } from '../store/index.js';

function trustFrom(config: Readonly<AisocConfig>): TrustAnchor {
  const { trustedKeys, certificateRoots, sigstore } = config.registry;
  const local: TrustAnchor =
    certificateRoots.length > 0
      ? {
          kind: 'certificates',
          roots: certificateRoots.flatMap((f) => parsePemCertificates(readFileSync(f, 'utf8'), f)),
        }
      : { kind: 'keys', keys: trustedKeys.map((f) => loadPublicKey(readFileSync(f))) };
  if (!sigstore) return local;
  const keyless: TrustAnchor = {
    kind: 'sigstore',
    trustedRoot: JSON.parse(readFileSync(sigstore.trustedRoot, 'utf8')) as unknown,
    identities: sigstore.identities,
  };
  const hasLocal = certificateRoots.length > 0 || trustedKeys.length > 0;
  return hasLocal ? { kind: 'any', anchors: [local, keyless] } : keyless;
}

// Versions the built-in server loads from the config, with the digest the config pins: the
// integrity monitor re-hashes exactly these files.
function servedArtifacts(config: Readonly<AisocConfig>): MonitoredArtifacts[] {
  return config.models.flatMap((m) =>
    m.versions.flatMap((v) =>
      v.onnx && v.digest
        ? [
            {
              model: m.id,
              version: v.version,
              location: v.onnx,
              files: [{ path: '.', digest: v.digest.replace(/^sha256:/, ''), size: 0 }],
            },
          ]
        : [],
    ),
  );
}

// Registry versions deployed now whose artifacts sit on this machine.
async function deployedArtifacts(registry: Registry): Promise<MonitoredArtifacts[]> {
  const out: MonitoredArtifacts[] = [];
  for (const endpoint of await registry.repository.endpoints()) {
    const { model, version } = await registry.lineage.behind(endpoint);
    if (model && version?.location)
      out.push({
        model: model.name,
        version: version.version,
        location: version.location,
        files: version.files,
      });
  }
  return out;
}

// Quarantined and revoked versions are not served, so their fingerprints are not replayed.
async function liveFingerprints(registry: Registry): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  for (const f of await registry.fingerprints()) {
    const { state } = await registry.version(f.model, f.version);
    if (state !== 'quarantined' && state !== 'revoked') out.push(f);
  }
  return out;
}

/** Why `deploy` refuses model@version under `registry.requireValidation`, or null. */
async function validationGate(
  validation: Validation,
  model: string,
  version: string,
): Promise<string | null> {
  const last = await validation.latest(model, version);
  if (!last)
    return `${model}@${version} has no validation; run \`aisoc registry validate ${model} ${version} --against KNOWN_GOOD --data DATASET@LABEL\` first (registry.requireValidation is set)`;
  if (!last.passed) {
    const f = last.fairness;
    const why = [
      ...last.failed.map((m) => `${m} dropped by ${last.drops[m].toFixed(4)}`),
      ...(f?.failed ?? []).map(
        (g) =>
          `${g} ${f!.candidate[g]!.toFixed(4)} over ${f!.column} (fairness tolerance ${f!.tolerance})`,
      ),
    ];
    return `${model}@${version} failed its latest validation against ${last.against} (${last.id}): ${why.join(', ')} (tolerance ${last.tolerance})`;
  }
  return null;
}

/**
 * Builds the provenance registry, rollback, inventory and threat model for the admin API, and
 * starts the integrity monitor over the artifacts served in-process. Alerts go to `onAlert`.
 */
export function startProvenance(deps: {
  config: Readonly<AisocConfig>;
  store: Store;
  audit: (entry: AuditEntry) => Promise<void>;
  actions: ActionControl;
  onAlert: (alert: Alert) => void;
  /** Sends one probe input to model@version through the serving path (the gateway). */
  probe: (model: string, input: unknown, version: string) => Promise<unknown>;
  /** Makes a version servable before a rollback pins it (the gateway's version catalogue). */
  prepare: (model: string, version: string) => Promise<void>;
  /** Told when a version is quarantined or revoked, so the gateway stops serving it. */
  withdraw: (model: string, version: string) => void;
}): {
  services: RegistryServices;
  /** Records the deployment a pin, lift or deploy made (the action service's afterChange). */
  recordServing: (change: ActionChange) => Promise<void>;
  close(): Promise<void>;
} {
  const { config } = deps;
  const admission = createAdmission({
    scan: (p) => scan(p),
    trust: trustFrom(config),
    requireSignature: config.registry.requireSignature,
  });
  const records = createRegistry({
    db: deps.store.db.withTables<RegistryDatabase>(),
    audit: deps.audit,
    admission,
  });
  const configuredModel = (model: string) => config.models.find((m) => m.id === model);
  const validation = createValidation({
    registry: records,
    db: deps.store.db.withTables<RegistryDatabase>(),
    audit: deps.audit,
    infer: createValidationInfer({ prepare: deps.prepare, probe: deps.probe }),
    tolerance: config.registry.validationTolerance,
    fairness: {
      tolerance: config.registry.fairnessTolerance,
      group: config.registry.fairnessGroup,
    },
  });
  const registry = createServedRegistry({
    records,
    actions: deps.actions,
    configured: configuredModel,
    withdraw: deps.withdraw,
    ...(config.registry.requireValidation
      ? {
          deployGate: (model: string, version: string) =>
            validationGate(validation, model, version),
        }
      : {}),
  });
  const configured = config.models.map((m) => ({
    id: m.id,
    protocol: m.protocol,
    criticality: m.criticality,
    owner: m.owner,
    versions: m.versions,
  }));
  const inventory = () => buildInventory({ registry, configured });
  // A registry version is made servable first (a no-op once it is), so a version fingerprinted
  // at approval, or after a restart, answers on its version route.
  const invoke = async (model: string, input: unknown, version: string) => {
    await deps.prepare(model, version);
    return deps.probe(model, input, version);
  };
  const monitor = createIntegrityMonitor({
    artifacts: async () => [...servedArtifacts(config), ...(await deployedArtifacts(registry))],
    fingerprints: () => liveFingerprints(registry),
    invoke,
    onAlert: deps.onAlert,
    intervalMs: config.registry.integrityIntervalMs,
  });
  monitor.start();
  return {
    recordServing: createServingRecorder({
      records: registry,
      actions: deps.actions,
      configured: configuredModel,
    }),
    services: {
      registry,
      validation,
      rollback: createRollback({
        registry,
        actions: deps.actions,
        prepare: deps.prepare,
        isConfigured: (model, version) =>
          configuredModel(model)?.versions.some((v) => v.version === version) ?? false,
      }),
      inventory,
      recordFingerprint: async (model, version, input, actor) =>
        registry.saveFingerprint(
          model,
          version,
          await recordFingerprint(
            invoke,
            { model, version, tolerance: input.tolerance },
            input.probes,
          ),
          actor,
        ),
      threatModel: async () =>
        renderThreatModel(
          await inventory(),
          await loadAtlasCatalog(
            config.registry.atlasFile ?? join(packageRoot(), 'data', 'atlas', 'ATLAS.yaml'),
          ),
          {
            generatedAt: new Date().toISOString(),
          },
        ),
    },
    close: () => monitor.stop(),
  };
}
