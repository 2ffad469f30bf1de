import {
  createId,
  type Alert,
  type AppliedAction,
  type Clock,
  type Severity,
  type AuditEntry,
  type IncidentTimelineKind,
} from '../core/index.js';
import { DEFAULT_CORRELATION, type CorrelationOptions } from './correlate.js';
import { respondError, RespondErrorCodes } from './errors.js';
import { createAlertFiler, type IngestResult } from './file-alert.js';
import { canMoveTo, PHASES, type Incident, type IncidentTask, type Phase } from './incident.js';
import type { RespondRepository } from './respond-repository.js';
import { moveRunsWithAlerts } from './split-incident.js';
import { summariseAlerts, type AssetInfo } from './summarise-alerts.js';

export type AuditFn = (entry: AuditEntry) => Promise<void>;

export interface IncidentServiceOptions {
  repo: RespondRepository;
  audit: AuditFn;
  /** Queues an audit entry without waiting for its commit (book-keeping; see responder). */
  auditQueued?: (entry: AuditEntry) => void;
  clock: Clock;
  assets: ReadonlyMap<string, AssetInfo>;
  correlation?: CorrelationOptions;
}

export type { IngestResult } from './file-alert.js';

/** Incidents: correlation of alerts, assignment, notes, severity overrides, phases, merge, split. */
export function createIncidentService(options: IncidentServiceOptions) {
  const { repo, clock, assets } = options;
  const correlation = options.correlation ?? DEFAULT_CORRELATION;
  const now = () => new Date(clock.now()).toISOString();
  // Ingestion is serialised: two alerts of one attack must not open two incidents.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  // Read-modify-write of an incident row takes the same turn as ingestion: a phase change or
  // time-to-contain saved from a copy read before an alert was attached would drop that
  // alert's techniques and ids from the incident (seen as a flaky test under load).
  const locked =
    <A extends unknown[], T>(fn: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      serial(() => fn(...args));

  let seq = 0;
  // Timeline ids sort in recording order even within one millisecond: time, counter, random.
  const timelineId = (at: string) =>
    `tl_${Date.parse(at).toString(36).padStart(9, '0')}${(seq++ % 1e9).toString(36).padStart(6, '0')}${createId('x').slice(-6)}`;
  type Entry = Record<string, unknown>;
  const emit = async (entries: readonly AuditEntry[]) => {
    for (const entry of entries) {
      if (options.auditQueued) options.auditQueued(entry);
      else await options.audit(entry);
    }
  };
  /** Writes a timeline entry through `r` and returns its audit entry (emitted after commit). */
  const timeline = async (
    r: RespondRepository,
    incidentId: string,
    type: IncidentTimelineKind,
    actor: string,
    data: Entry,
    at = now(),
  ): Promise<AuditEntry> => {
    await r.addTimeline({ id: timelineId(at), incidentId, at, type, actor, data });
    return { type: `respond.incident.${type}`, actor, at, incidentId, ...data };
  };
  const record = async (
    incidentId: string,
    type: IncidentTimelineKind,
    actor: string,
    data: Entry,
    at = now(),
  ) => emit([await timeline(repo, incidentId, type, actor, data, at)]);
  const get = async (id: string) => {
    const incident = await repo.getIncident(id);
    if (!incident)
      throw respondError(RespondErrorCodes.RESPOND_INCIDENT_UNKNOWN, `no incident ${id}`);
    return incident;
  };
  const refresh = async (incident: Incident, r: RespondRepository = repo): Promise<Incident> => {
    const summary = summariseAlerts(await r.alertsOf(incident.id), assets);
    const next: Incident = {
      ...incident,
      ...summary,
      severity: { ...summary.severity, override: incident.severity.override },
      updatedAt: now(),
    };
    await r.saveIncident(next);
    return next;
  };

  const { open, fileAlert } = createAlertFiler({ clock, assets, correlation, timeline, refresh });

  return {
    get,
    list: (filter: { open?: boolean; limit?: number } = {}) => repo.listIncidents(filter),
    /** Files an alert: a duplicate, into an open incident, or into a new one. */
    ingest(alert: Alert): Promise<IngestResult> {
      // One transaction per alert (one commit on the path to containment); audit after it.
      return serial(async () => {
        const entries: AuditEntry[] = [];
        const result = await repo.transaction((r) => fileAlert(alert, r, entries));
        await emit(entries);
        return result;
      });
    },
    assign: locked(async (id: string, assignee: string, actor: string) => {
      const incident = await get(id);
      const next = { ...incident, assignee, updatedAt: now() };
      await repo.saveIncident(next);
      await record(id, 'assigned', actor, { assignee, previous: incident.assignee });
      return next;
    }),
    async note(id: string, text: string, actor: string) {
      await get(id);
      await record(id, 'note', actor, { text });
    },
    overrideSeverity: locked(
      async (id: string, severity: Severity, reason: string, actor: string) => {
        const incident = await get(id);
        const at = now();
        const next = {
          ...incident,
          severity: { ...incident.severity, override: { severity, reason, by: actor, at } },
          updatedAt: at,
        };
        await repo.saveIncident(next);
        await record(id, 'severity_overridden', actor, {
          from: incident.severity.computed,
          to: severity,
          reason,
        });
        return next;
      },
    ),
    /** Moves the incident forward to `phase` (NIST SP 800-61 order) and stamps the time. */
    setPhase: locked(
      async (
        id: string,
        phase: Phase,
        actor: string,
        extra: Partial<Pick<Incident, 'timeToContainMs'>> = {},
      ) => {
        const incident = await get(id);
        if (!PHASES.includes(phase))
          throw respondError(RespondErrorCodes.RESPOND_PHASE_INVALID, `unknown phase "${phase}"`);
        if (incident.phase === phase) return incident;
        if (!canMoveTo(incident.phase, phase))
          throw respondError(
            RespondErrorCodes.RESPOND_PHASE_INVALID,
            `incident ${id} is ${incident.phase}; phases only move forward (${PHASES.join(' → ')})`,
          );
        const at = now();
        const next = {
          ...incident,
          ...extra,
          phase,
          phaseTimes: { ...incident.phaseTimes, [phase]: at },
          updatedAt: at,
        };
        await repo.saveIncident(next);
        await record(id, 'phase_changed', actor, { from: incident.phase, to: phase, ...extra }, at);
        return next;
      },
    ),
    /** Records time-to-contain once: alert → the first containing action enforced (`by`). */
    setTimeToContain: locked(async (id: string, ms: number, by?: AppliedAction) => {
      const incident = await get(id);
      if (incident.timeToContainMs !== null) return incident;
      const next = { ...incident, timeToContainMs: ms, updatedAt: now() };
      await repo.saveIncident(next);
      await record(id, 'containment_enforced', 'respond', {
        timeToContainMs: ms,
        ...(by ? { actionId: by.id, action: by.action.kind } : {}),
      });
      return next;
    }),
    /** Folds `sourceIds` into `targetId`: alerts, runs, tasks and evidence move; the sources close as merged. */
    async merge(targetId: string, sourceIds: readonly string[], actor: string) {
      const target = await get(targetId);
      for (const sourceId of sourceIds) {
        if (sourceId === targetId)
          throw respondError(
            RespondErrorCodes.RESPOND_INCIDENT_INVALID,
            'cannot merge an incident into itself',
          );
        const source = await get(sourceId);
        await repo.moveAlerts(source.alertIds, targetId);
        await repo.moveTasks(sourceId, targetId);
        // Runs and evidence follow, so a split can hand them back with the alerts.
        for (const run of await repo.listRuns({ incidentId: sourceId }))
          await repo.moveRun(run.id, targetId);
        await repo.moveEvidence(
          (await repo.listEvidence(sourceId)).map((e) => e.id),
          targetId,
        );
        const at = now();
        await repo.saveIncident({
          ...source,
          mergedInto: targetId,
          phase: 'closed',
          phaseTimes: { ...source.phaseTimes, closed: at },
          updatedAt: at,
        });
        await record(sourceId, 'merged_into', actor, { target: targetId });
      }
      const next = await refresh(target);
      await record(targetId, 'merged', actor, { sources: sourceIds });
      return next;
    },
    /** Moves some alerts out into a new incident (a wrong correlation, undone by hand). */
    async split(id: string, alertIds: readonly string[], actor: string) {
      const incident = await get(id);
      const moving = alertIds.filter((a) => incident.alertIds.includes(a));
      if (moving.length === 0 || moving.length === incident.alertIds.length)
        throw respondError(
          RespondErrorCodes.RESPOND_INCIDENT_INVALID,
          "split needs some, but not all, of the incident's alert ids",
        );
      const all = await repo.alertsOf(id);
      const alerts = all.filter((a) => moving.includes(a.id));
      const entries: AuditEntry[] = [];
      const created = await open(alerts[0]!, now(), repo, entries);
      await emit(entries);
      await repo.moveAlerts(moving, created.id);
      const staying = all.filter((a) => !moving.includes(a.id));
      const moved = await moveRunsWithAlerts(repo, incident, created.id, alerts, staying);
      // The new incident was raised when the original was (TTD is not the time of the split);
      // phases and time to contain go with the runs that reached them.
      const timing = moved.runIds.length > 0;
      // (`timing`: the phases the moved runs reached go with them; the original keeps its own.)
      let fresh = await refresh({
        ...created,
        phase: timing ? incident.phase : created.phase,
        phaseTimes: timing
          ? incident.phaseTimes
          : { detected: incident.phaseTimes.detected ?? created.phaseTimes.detected },
        timeToContainMs: moved.timeToContainMs,
      });
      const rest = await refresh(incident);
      if (moved.ownTiming) await repo.saveIncident({ ...rest, timeToContainMs: null });
      await record(id, 'split', actor, {
        alertIds: moving,
        into: created.id,
        runIds: moved.runIds,
        evidenceIds: moved.evidenceIds,
      });
      await record(created.id, 'split_from', actor, {
        from: id,
        alertIds: moving,
        runIds: moved.runIds,
        evidenceIds: moved.evidenceIds,
      });
      fresh = await get(created.id);
      return fresh;
    },
    async addTask(
      incidentId: string,
      task: Omit<IncidentTask, 'id' | 'status' | 'createdAt' | 'doneAt' | 'doneBy'>,
      actor: string,
    ) {
      const at = now();
      const full: IncidentTask = {
        ...task,
        id: createId('task', clock.now()),
        status: 'open',
        createdAt: at,
        doneAt: null,
        doneBy: null,
      };
      await repo.saveTask(incidentId, full);
      await record(
        incidentId,
        task.kind === 'approval' ? 'approval_requested' : 'task_added',
        actor,
        { taskId: full.id, title: full.title, role: full.role },
      );
      return full;
    },
    async closeTask(
      taskId: string,
      status: IncidentTask['status'],
      actor: string,
      extra: Record<string, unknown> = {},
    ) {
      const task = await repo.getTask(taskId);
      if (!task)
        throw respondError(RespondErrorCodes.RESPOND_APPROVAL_UNKNOWN, `no task ${taskId}`);
      const { incidentId, ...rest } = task;
      const next: IncidentTask = { ...rest, status, doneAt: now(), doneBy: actor };
      await repo.saveTask(incidentId, next);
      await record(
        incidentId,
        task.kind === 'approval' ? `approval_${status}` : 'task_done',
        actor,
        { taskId, ...extra },
      );
      return { ...next, incidentId };
    },
    record,
    timeline: (id: string) => repo.timeline(id),
    tasks: (filter: { incidentId?: string; kind?: string; status?: string } = {}) =>
      repo.listTasks(filter),
    getTask: (id: string) => repo.getTask(id),
  };
}
export type IncidentService = ReturnType<typeof createIncidentService>;
