import { readFileSync } from 'node:fs';
import type { RegistryServices } from '../api/index.js';
import type { AisocConfig } from '../config/index.js';
import type { Alert } from '../core/index.js';
import {
  buildInventory,
  createAdmission,
  createIntegrityMonitor,
  createRegistry,
  createRollback,
  loadAtlasCatalog,
  loadPublicKey,
  parsePemCertificates,
  renderThreatModel,
  type ActionApplier,
  type MonitoredArtifacts,
  type RegistryDatabase,
  type TrustAnchor,
} from '../registry/index.js';
import { scan } from '../scan/index.js';
import type { Store } from '../store/index.js';

function trustFrom(config: Readonly<AisocConfig>): TrustAnchor {
  const { trustedKeys, certificateRoots } = config.registry;
  if (certificateRoots.length > 0)
    return {
      kind: 'certificates',
      roots: certificateRoots.flatMap((f) => parsePemCertificates(readFileSync(f, 'utf8'), f)),
    };
  return { kind: 'keys', keys: trustedKeys.map((f) => loadPublicKey(readFileSync(f))) };
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

/**
 * Builds the provenance registry, rollback, inventory and threat model for the admin API, and
 * starts the integrity monitor over the artifacts served in-process. Alerts go to `onAlert`.
 */
export function startProvenance(deps: {
  config: Readonly<AisocConfig>;
  store: Store;
  audit: (entry: Record<string, unknown>) => Promise<void>;
  actions: ActionApplier;
  onAlert: (alert: Alert) => void;
}): { services: RegistryServices; close(): Promise<void> } {
  const { config } = deps;
  const admission = createAdmission({
    scan: (p) => scan(p),
    trust: trustFrom(config),
    requireSignature: config.registry.requireSignature,
  });
  const registry = createRegistry({
    db: deps.store.db.withTables<RegistryDatabase>(),
    audit: deps.audit,
    admission,
  });
  const configured = config.models.map((m) => ({
    id: m.id,
    protocol: m.protocol,
    criticality: m.criticality,
    owner: m.owner,
    versions: m.versions,
  }));
  const inventory = () => buildInventory({ registry, configured });
  const monitor = createIntegrityMonitor({
    artifacts: () => servedArtifacts(config),
    // Fingerprints of remote upstreams are replayed by whoever records them; none by default.
    fingerprints: () => [],
    invoke: () => Promise.reject(new Error('no probe invoker configured')),
    onAlert: deps.onAlert,
    intervalMs: config.registry.integrityIntervalMs,
  });
  monitor.start();
  return {
    services: {
      registry,
      rollback: createRollback({ registry, actions: deps.actions }),
      inventory,
      threatModel: async () =>
        renderThreatModel(await inventory(), await loadAtlasCatalog(config.registry.atlasFile), {
          generatedAt: new Date().toISOString(),
        }),
    },
    close: () => monitor.stop(),
  };
}
