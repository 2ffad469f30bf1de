import type { AisocConfig } from '../config/index.js';
import type { Alert, AuditEntry } from '../core/index.js';
import {
  createArtifactAccessMonitor,
  createArtifactReads,
  type ArtifactReads,
  type Registry,
} from '../registry/index.js';

/** Model-file downloads for the admin API: audited reads, unusual ones alerted (issue 20). */
export function artifactReadsFor(
  config: AisocConfig,
  registry: Registry,
  audit: (entry: AuditEntry) => Promise<void>,
  raise: (alert: Alert) => void,
): ArtifactReads {
  return createArtifactReads({
    registry,
    audit,
    monitor: createArtifactAccessMonitor({ ...config.registry.artifactAccess, raise }),
  });
}
