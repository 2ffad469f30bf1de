import type { Context, Hono } from 'hono';
import { createEventRoutes, createEvidenceRoutes, createReportRoutes } from '../api/index.js';
import { incidentReview } from './report-wiring.js';
import type { AisocConfig } from '../config/index.js';
import type { AuditEntry } from '../core/index.js';
import { buildEvidenceBundle, type EventFilter, type IndexedEvent } from '../forensics/index.js';
import type { LedgerKey, LedgerWriter } from '../ledger/index.js';
import { reportError, ReportErrorCodes, type AlertSinks } from '../report/index.js';
import type { Responder } from '../respond/index.js';
import type { Detection } from './detection.js';
import type { Store } from '../store/index.js';

export interface ForensicsWiringDeps {
  config: Readonly<AisocConfig>;
  store: Store;
  responder: Responder;
  ledger: LedgerWriter;
  ledgerKey: LedgerKey;
  /** SOC tools an incident can be sent to (`respond.sinks`). */
  sinks?: AlertSinks;
  /** aisoc's version (CEF device version). */
  version?: string;
  /** privacy (issue 19): marks sealed fields of erased subjects in event listings. */
  eventView?: (events: IndexedEvent[]) => Promise<IndexedEvent[]>;
}

/** An incident's events: its models and principals (all when none) from first to last seen. */
export async function incidentScope(responder: Responder, id: string): Promise<EventFilter> {
  const incident = await responder.incidents.get(id);
  return {
    models: incident.assets,
    ...(incident.principals.length > 0 ? { principals: incident.principals } : {}),
    from: incident.firstSeen,
    to: incident.lastSeen,
  };
}

/** The forensics routes (events, impact, evidence bundles), to mount behind the admin API. */
export function forensicsRoutes(
  deps: ForensicsWiringDeps,
): ((actor: (c: Context) => string) => Hono)[] {
  return [
    () =>
      createEventRoutes({
        store: deps.store,
        incidentScope: (id) => incidentScope(deps.responder, id),
        ...(deps.eventView ? { view: deps.eventView } : {}),
      }),
    (actor) =>
      createEvidenceRoutes(
        {
          add: (id, upload, who) => addEvidence(deps.responder, id, upload, who),
          bundle: (id, recipient, who) => bundleEvidence(deps, id, recipient, who),
        },
        actor,
      ),
    (actor) =>
      createReportRoutes(
        {
          review: (id) => incidentReview(deps.config, deps.responder, id),
          ...(deps.version ? { version: deps.version } : {}),
          send: (id, sink, who) => sendIncident(deps, id, sink, who),
        },
        actor,
      ),
  ];
}

/** Attaches a file to an incident (`aisoc evidence add`): stored by digest, custody in the ledger. */
export async function addEvidence(
  responder: Responder,
  incidentId: string,
  upload: { bytes: Uint8Array; kind: string; label: string; mediaType: string },
  actor: string,
) {
  await responder.incidents.get(incidentId); // RESPOND_INCIDENT_UNKNOWN before anything is stored
  const item = await responder.evidence.collect(
    {
      incidentId,
      kind: upload.kind,
      bytes: upload.bytes,
      mediaType: upload.mediaType,
      description: upload.label,
    },
    actor,
  );
  await responder.incidents.record(incidentId, 'evidence_added', actor, {
    evidenceId: item.id,
    digest: item.digest,
    kind: item.kind,
    label: upload.label,
  });
  return item;
}

/**
 * The signed part of an evidence bundle for `recipient` (the CLI adds the item bytes), and the
 * hand-over recorded in the audit ledger with the manifest digest.
 */
export async function bundleEvidence(
  deps: ForensicsWiringDeps,
  incidentId: string,
  recipient: string,
  actor: string,
) {
  await deps.responder.incidents.get(incidentId);
  const items = await deps.responder.evidence.list(incidentId);
  await deps.ledger.flush(); // a checkpoint that covers every custody entry so far
  const now = new Date().toISOString();
  const built = await buildEvidenceBundle(deps.store, {
    incidentId,
    recipient,
    actor,
    items,
    key: deps.ledgerKey,
    now,
  });
  await deps.ledger.appendDurable('audit', {
    type: 'respond.evidence.handed_over',
    actor,
    at: now,
    incidentId,
    recipient,
    manifestDigest: built.manifestDigest,
    digests: items.map((i) => i.digest),
  } satisfies AuditEntry);
  return built;
}

/**
 * What detector-state evidence holds: every detector's live state for the model (as its
 * checkpoint would serialise it), the performance windows, and the recent alerts, which are
 * the signals behind a finding.
 */
export function detectorStateOf(detection: Detection, model: string) {
  const checkpoint = detection.runner.checkpoint();
  return {
    model,
    at: new Date().toISOString(),
    eventsSeen: checkpoint.events,
    detectors: checkpoint.states.filter((s) => s.model === model),
    performance: detection.performance.results(model),
    signals: detection.recentAlerts({ model, limit: 100 }),
  };
}

/** Sends an incident to a configured SOC tool; the hand-over is an audit-ledger entry. */
export async function sendIncident(
  deps: ForensicsWiringDeps,
  incidentId: string,
  sink: string,
  actor: string,
) {
  const review = await incidentReview(deps.config, deps.responder, incidentId);
  if (!deps.sinks)
    throw reportError(ReportErrorCodes.REPORT_SINK_UNKNOWN, `no sink "${sink}": none configured`);
  const sent = await deps.sinks.sendIncident(sink, review);
  await deps.ledger.appendDurable('audit', {
    type: 'report.incident.sent',
    actor,
    at: new Date().toISOString(),
    incidentId,
    sink: sent.sink,
    kind: sent.kind,
    ref: sent.ref,
  } satisfies AuditEntry);
  return sent;
}
