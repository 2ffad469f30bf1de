import {
  createId,
  type Alert,
  type AuditEntry,
  type Clock,
  type IncidentTimelineKind,
} from '../core/index.js';
import {
  correlateAlert,
  type CorrelationDecision,
  type CorrelationOptions,
  type IncidentLink,
} from './correlate.js';
import { respondError, RespondErrorCodes } from './errors.js';
import { reopenIncident, type Incident } from './incident.js';
import type { RespondRepository } from './respond-repository.js';
import { summariseAlerts, type AssetInfo } from './summarise-alerts.js';

type Entry = Record<string, unknown>;

export interface IngestResult {
  incident: Incident;
  decision: CorrelationDecision;
}

export interface AlertFilerDeps {
  clock: Clock;
  assets: ReadonlyMap<string, AssetInfo>;
  correlation: CorrelationOptions;
  /** Writes a timeline entry through `r` and returns its audit entry (emitted after commit). */
  timeline: (
    r: RespondRepository,
    incidentId: string,
    type: IncidentTimelineKind,
    actor: string,
    data: Entry,
    at?: string,
  ) => Promise<AuditEntry>;
  /** Recomputes what an incident derives from its alerts and saves it. */
  refresh: (incident: Incident, r: RespondRepository) => Promise<Incident>;
}

/**
 * Files one alert inside the caller's transaction: opens a new incident (linked to the same
 * actor's incidents about other models), attaches it, re-opens a closed incident, or counts
 * a duplicate. The audit entries go to `out`, for the caller to emit after the commit.
 */
export function createAlertFiler(deps: AlertFilerDeps) {
  const { clock, assets, correlation, timeline, refresh } = deps;
  const now = () => new Date(clock.now()).toISOString();
  const open = async (
    alert: Alert,
    at: string,
    r: RespondRepository,
    out: AuditEntry[],
  ): Promise<Incident> => {
    const id = createId('inc', clock.now());
    await r.insertAlert(alert, id, at);
    const summary = summariseAlerts([alert], assets);
    const incident: Incident = {
      id,
      title: alert.title,
      ...summary,
      severity: { ...summary.severity, override: null },
      duplicateCount: 0,
      assignee: null,
      phase: 'detected',
      phaseTimes: { detected: at },
      timeToContainMs: null,
      mergedInto: null,
      createdAt: at,
      updatedAt: at,
    };
    await r.saveIncident(incident);
    const data = { alertId: alert.id, title: incident.title, severity: incident.severity.computed };
    out.push(await timeline(r, id, 'opened', 'respond', data, at));
    return incident;
  };

  /** Links a new incident and the related open incidents (same subject elsewhere, campaign), both ways. */
  const link = async (
    incident: Incident,
    links: readonly IncidentLink[],
    at: string,
    r: RespondRepository,
    out: AuditEntry[],
  ): Promise<Incident> => {
    if (links.length === 0) return incident;
    for (const l of links) {
      const other = await r.getIncident(l.incidentId);
      if (!other) continue;
      const back = {
        incidentId: incident.id,
        reason: l.reason,
        ...(l.kind ? { kind: l.kind } : {}),
      };
      await r.saveIncident({ ...other, links: [...(other.links ?? []), back], updatedAt: at });
      out.push(await timeline(r, other.id, 'linked', 'respond', back, at));
      out.push(await timeline(r, incident.id, 'linked', 'respond', { ...l }, at));
    }
    const next = { ...incident, links: [...links] };
    await r.saveIncident(next);
    return next;
  };

  const fileAlert = async (
    alert: Alert,
    r: RespondRepository,
    out: AuditEntry[],
  ): Promise<IngestResult> => {
    const at = now();
    const decision = correlateAlert(
      alert,
      await r.listIncidents({ open: true, limit: 500 }),
      correlation,
      (await r.listIncidents({ closed: true, limit: 200 })).map((i) => ({
        ...i,
        closedAt: i.phaseTimes.closed ?? i.updatedAt,
      })),
    );
    if (decision.kind === 'new') {
      const opened = await open(alert, at, r, out);
      return { incident: await link(opened, decision.links, at, r, out), decision };
    }
    const incident = await r.getIncident(decision.incidentId);
    if (!incident)
      throw respondError(
        RespondErrorCodes.RESPOND_INCIDENT_UNKNOWN,
        `no incident ${decision.incidentId}`,
      );
    if (decision.kind === 'reopen') {
      await r.insertAlert(alert, incident.id, at);
      const reopened = await refresh(reopenIncident(incident, alert, decision.reason, at), r);
      out.push(
        await timeline(r, incident.id, 'reopened', 'respond', {
          alertId: alert.id,
          from: 'closed',
          to: 'detected',
          reason: decision.reason,
        }),
      );
      return { incident: reopened, decision };
    }
    if (decision.kind === 'duplicate') {
      await r.insertAlert(alert, null, at);
      const next = { ...incident, duplicateCount: incident.duplicateCount + 1, updatedAt: at };
      await r.saveIncident(next);
      return { incident: next, decision };
    }
    await r.insertAlert(alert, incident.id, at);
    const next = await refresh(incident, r);
    out.push(
      await timeline(r, incident.id, 'alert_attached', 'respond', {
        alertId: alert.id,
        reason: decision.reason,
      }),
    );
    return { incident: next, decision };
  };

  return { open, fileAlert };
}
