import type { AuditEntry } from '../core/index.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bus, PolicyChannel } from '../bus/index.js';
import type { AisocConfig } from '../config/index.js';
import {
  CORRELATION_KEYS,
  createLedgerEvidenceSources,
  createResponder,
  type ActionService,
  type Responder,
  type WebhookTarget,
} from '../respond/index.js';
import type { Store } from '../store/index.js';
import { packageRoot } from './demo.js';

/** Builds (and unless `start` is false, starts) the responder from the config (issue 7); the caller closes it. */
export async function startResponder(
  config: Readonly<AisocConfig>,
  deps: {
    store: Store;
    bus: Bus;
    actions: ActionService;
    channel: PolicyChannel;
    audit: (entry: AuditEntry) => Promise<void>;
    auditQueued: (entry: AuditEntry) => void;
    log: (line: string) => void;
    /** The registry's last known-good version of a model, once the registry is up. */
    knownGoodVersion?: (model: string) => Promise<string | undefined>;
    /** The live detector state and signals of a model, once detection is up (issue 12). */
    detectorSnapshot?: (model: string) => unknown;
  },
  start = true,
): Promise<Responder> {
  const webhooks: Record<string, WebhookTarget> = {};
  for (const [name, w] of Object.entries(config.respond.webhooks))
    webhooks[name] = { url: w.url, secret: (await readFile(w.secretFile, 'utf8')).trim() };
  const responder = await createResponder({
    enrichAlert: async (alert) => {
      if (alert.model === null || alert.evidence.knownGoodVersion !== undefined) return alert;
      const registered = await deps.knownGoodVersion?.(alert.model).catch(() => undefined);
      const version = registered ?? outputDriftReference(alert);
      return version === undefined
        ? alert
        : { ...alert, evidence: { ...alert.evidence, knownGoodVersion: version } };
    },
    store: deps.store,
    bus: deps.bus,
    actions: deps.actions,
    channel: deps.channel,
    audit: deps.audit,
    auditQueued: deps.auditQueued,
    assets: new Map(
      config.models.map((m) => [
        m.id,
        { criticality: m.criticality, dataSensitivity: m.dataSensitivity, tags: m.tags },
      ]),
    ),
    playbookDir: config.respond.playbookDir ?? join(packageRoot(), 'playbooks'),
    evidenceDir: config.respond.evidenceDir ?? join(config.dataDir, 'evidence'),
    webhooks,
    ...(config.respond.roles ? { roles: config.respond.roles } : {}),
    correlation: {
      windowMs: config.respond.correlationWindowMs,
      dedupWindowMs: config.respond.dedupWindowMs,
      reopenWindowMs: config.respond.reopenWindowMs,
      on: CORRELATION_KEYS,
    },
    sources: createLedgerEvidenceSources({
      store: deps.store,
      models: config.models,
      // The detectors' last checkpoint (written by src/app/detection.ts), as found on disk.
      detectorState: async (model) => {
        const live = deps.detectorSnapshot?.(model);
        if (live !== undefined && live !== null) return live;
        const file = join(config.dataDir, 'detectors.checkpoint.json');
        const text = await readFile(file, 'utf8').catch(() => null);
        return text === null
          ? { file, checkpoint: null }
          : { file, checkpoint: JSON.parse(text) as unknown };
      },
    }),
    onError: (e) => deps.log(`respond: ${(e as Error)?.message ?? String(e)}`),
  });
  if (start) await responder.start(); // else the caller starts it (e.g. once it leads)
  return responder;
}

/**
 * Output drift compares a new version with the one profiled before it, which answered as
 * expected. When the registry names no known-good version (versions only in aisoc.yaml),
 * that reference version is the rollback candidate a playbook's approval shows.
 */
function outputDriftReference(alert: {
  detector: string;
  evidence: Record<string, unknown>;
}): string | undefined {
  const { referenceVersion, version } = alert.evidence;
  return alert.detector === 'output-drift' &&
    typeof referenceVersion === 'string' &&
    referenceVersion !== version
    ? referenceVersion
    : undefined;
}
