import type { Alert, Clock, AuditEntry } from '../core/index.js';
import { respondError, RespondErrorCodes } from './errors.js';
import type { Disposition, Incident, Phase } from './incident.js';
import type { IncidentService } from './incident-service.js';
import type { RespondRepository } from './respond-repository.js';
import { alertSubject } from './subject.js';
import { MAX_SUPPRESSION_MS, type Suppression, type Suppressions } from './suppressions.js';

export interface DisposeOptions {
  falsePositive: boolean;
  reason: string;
  /** How long the suppressions of a false positive last (ms); default 30 days. */
  forMs?: number;
}

export const DEFAULT_SUPPRESSION_MS = 30 * 24 * 3_600_000;

export interface FalsePositiveDeps {
  repo: RespondRepository;
  incidents: IncidentService;
  suppressions: Suppressions;
  /** Lifts the incident's own actions (responder.liftContainment). */
  lift: (incidentId: string, actor: string) => Promise<string[]>;
  /** Moves the incident to a phase and tells its runs (responder.setPhase). */
  setPhase: (incidentId: string, phase: Phase, actor: string) => Promise<Incident>;
  audit: (entry: AuditEntry) => Promise<void>;
  clock: Clock;
}

/**
 * The false-positive workflow: disposing of an incident as a false positive closes it, lifts
 * what it applied and suppresses each (subject, detector, model) behind it for a while, so
 * the same finding about the same subject opens no new incident. Alerts that fall under a
 * suppression are kept (filed under no incident) and audited, never dropped.
 */
export function createFalsePositives(deps: FalsePositiveDeps) {
  const { repo, incidents, suppressions, clock } = deps;
  const now = () => new Date(clock.now()).toISOString();

  return {
    async dispose(id: string, o: DisposeOptions, actor: string) {
      const incident = await incidents.get(id);
      if (incident.mergedInto !== null || incident.disposition)
        throw respondError(
          RespondErrorCodes.RESPOND_DISPOSE_INVALID,
          incident.mergedInto !== null
            ? `incident ${id} was merged into ${incident.mergedInto}: dispose of that one`
            : `incident ${id} was already disposed of as ${incident.disposition!.kind} by ${incident.disposition!.by}`,
        );
      const forMs = o.forMs ?? DEFAULT_SUPPRESSION_MS;
      // Checked before anything is lifted: a refused disposal changes nothing.
      if (!Number.isFinite(forMs) || forMs <= 0 || forMs > MAX_SUPPRESSION_MS)
        throw respondError(
          RespondErrorCodes.RESPOND_SUPPRESSION_INVALID,
          `a suppression lasts more than 0 and at most ${MAX_SUPPRESSION_MS} ms (365 days), not ${forMs}`,
        );
      const lifted = o.falsePositive ? await deps.lift(id, actor) : [];
      const created: Suppression[] = [];
      if (o.falsePositive) {
        const seen = new Set<string>();
        for (const alert of await repo.alertsOf(id)) {
          const subject = alertSubject(alert);
          const key = [subject, alert.detector, alert.model ?? ''].join('\u0000');
          if (seen.has(key)) continue;
          seen.add(key);
          created.push(
            await suppressions.create(
              {
                subject,
                detector: alert.detector,
                model: alert.model,
                incidentId: id,
                reason: o.reason,
              },
              forMs,
              actor,
            ),
          );
        }
      }
      const disposition: Disposition = {
        kind: o.falsePositive ? 'false_positive' : 'true_positive',
        reason: o.reason,
        by: actor,
        at: now(),
        suppressionIds: created.map((s) => s.id),
      };
      const current = await incidents.get(id);
      await repo.saveIncident({ ...current, disposition, updatedAt: disposition.at });
      await incidents.record(id, 'disposed', actor, { ...disposition, liftedActionIds: lifted });
      await deps.audit({
        type: 'respond.incident.disposed',
        actor,
        at: disposition.at,
        incidentId: id,
        disposition,
        liftedActionIds: lifted,
      });
      const closed =
        current.phase === 'closed' ? current : await deps.setPhase(id, 'closed', actor);
      return { incident: { ...closed, disposition }, lifted, suppressions: created };
    },
    /** The suppression an alert falls under; such an alert is kept and audited, not filed. */
    async suppressed(alert: Alert): Promise<Suppression | null> {
      const hit = await suppressions.match(alert);
      if (!hit) return null;
      await repo.insertAlert(alert, null, now());
      await deps.audit({
        type: 'respond.alert.suppressed',
        actor: 'respond',
        at: now(),
        alertId: alert.id,
        suppressionId: hit.id,
        subject: hit.subject,
        detector: hit.detector,
      });
      return hit;
    },
  };
}
