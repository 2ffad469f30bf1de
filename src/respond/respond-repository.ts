import type { Kysely } from 'kysely';
import { canonicalJson, type Alert } from '../core/index.js';
import type { Database } from '../store/index.js';
import type { Incident, IncidentTask } from './incident.js';
import { runRecordMethods } from './run-records.js';

/** The respond module's tables (created by the store's `0003_respond` migration). */
export type RespondTables = {
  respond_alerts: {
    id: string;
    incident_id: string | null;
    time: string;
    kind: string;
    model: string | null;
    principal: string | null;
    received_at: string;
    body: string;
  };
  incidents: {
    id: string;
    phase: string;
    severity: string;
    assignee: string | null;
    merged_into: string | null;
    created_at: string;
    updated_at: string;
    body: string;
  };
  incident_timeline: {
    id: string;
    incident_id: string;
    at: string;
    type: string;
    actor: string;
    body: string;
  };
  incident_tasks: {
    id: string;
    incident_id: string;
    kind: string;
    status: string;
    run_id: string | null;
    step_id: string | null;
    created_at: string;
    body: string;
  };
  evidence_items: {
    id: string;
    incident_id: string;
    digest: string;
    kind: string;
    created_at: string;
    body: string;
  };
  playbook_runs: {
    id: string;
    playbook_id: string;
    incident_id: string;
    status: string;
    created_at: string;
    updated_at: string;
    state: string;
  };
  playbook_steps: {
    run_id: string;
    step_id: string;
    attempt: number;
    status: string;
    at: string;
    result: string;
  };
};

export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

export type { EvidenceItem, StepRecord } from './run-records.js';

const json = (v: unknown) => canonicalJson(v);
const parse = <T>(text: string) => JSON.parse(text) as T;

/** Reads and writes incidents, alerts, timeline, tasks, evidence and runs on either engine. */
export function createRespondRepository(db: Kysely<Database>): RespondRepository {
  return {
    ...repositoryMethods(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(createRespondRepository(trx))),
  };
}

function repositoryMethods(db: Kysely<Database>) {
  const q = db.withTables<RespondTables>();
  return {
    ...runRecordMethods(db),
    async insertAlert(
      alert: Alert,
      incidentId: string | null,
      receivedAt: string,
    ): Promise<boolean> {
      const existing = await q
        .selectFrom('respond_alerts')
        .select('id')
        .where('id', '=', alert.id)
        .executeTakeFirst();
      if (existing) return false;
      await q
        .insertInto('respond_alerts')
        .values({
          id: alert.id,
          incident_id: incidentId,
          time: alert.time,
          kind: alert.kind,
          model: alert.model,
          principal: alert.principal,
          received_at: receivedAt,
          body: json(alert),
        })
        .execute();
      return true;
    },
    async alertsOf(incidentId: string): Promise<Alert[]> {
      const rows = await q
        .selectFrom('respond_alerts')
        .select('body')
        .where('incident_id', '=', incidentId)
        .orderBy('time')
        .execute();
      return rows.map((r) => parse<Alert>(r.body));
    },
    async moveAlerts(ids: readonly string[], to: string): Promise<void> {
      if (ids.length > 0)
        await q
          .updateTable('respond_alerts')
          .set({ incident_id: to })
          .where('id', 'in', [...ids])
          .execute();
    },
    async saveIncident(i: Incident): Promise<void> {
      const row = {
        id: i.id,
        phase: i.phase,
        severity: i.severity.override?.severity ?? i.severity.computed,
        assignee: i.assignee,
        merged_into: i.mergedInto,
        created_at: i.createdAt,
        updated_at: i.updatedAt,
        body: json(i),
      };
      await q
        .insertInto('incidents')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            phase: row.phase,
            severity: row.severity,
            assignee: row.assignee,
            merged_into: row.merged_into,
            updated_at: row.updated_at,
            body: row.body,
          }),
        )
        .execute();
    },
    async getIncident(id: string): Promise<Incident | undefined> {
      const row = await q
        .selectFrom('incidents')
        .select('body')
        .where('id', '=', id)
        .executeTakeFirst();
      return row && parse<Incident>(row.body);
    },
    /** `open`: not closed, not merged; `closed`: closed and not merged, latest change first. */
    async listIncidents(
      filter: { open?: boolean; closed?: boolean; limit?: number } = {},
    ): Promise<Incident[]> {
      let query = q
        .selectFrom('incidents')
        .select('body')
        .orderBy(filter.closed ? 'updated_at' : 'created_at', 'desc')
        .limit(filter.limit ?? 1000);
      if (filter.open)
        query = query.where('phase', '!=', 'closed').where('merged_into', 'is', null);
      if (filter.closed)
        query = query.where('phase', '=', 'closed').where('merged_into', 'is', null);
      return (await query.execute()).map((r) => parse<Incident>(r.body));
    },
    async addTimeline(e: TimelineEntry): Promise<void> {
      await q
        .insertInto('incident_timeline')
        .values({
          id: e.id,
          incident_id: e.incidentId,
          at: e.at,
          type: e.type,
          actor: e.actor,
          body: json(e.data),
        })
        .execute();
    },
    async timeline(incidentId: string): Promise<TimelineEntry[]> {
      const rows = await q
        .selectFrom('incident_timeline')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        incidentId: r.incident_id,
        at: r.at,
        type: r.type,
        actor: r.actor,
        data: parse(r.body),
      }));
    },
    async saveTask(incidentId: string, t: IncidentTask): Promise<void> {
      const row = {
        id: t.id,
        incident_id: incidentId,
        kind: t.kind,
        status: t.status,
        run_id: t.runId,
        step_id: t.stepId,
        created_at: t.createdAt,
        body: json(t),
      };
      await q
        .insertInto('incident_tasks')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ status: row.status, incident_id: incidentId, body: row.body }),
        )
        .execute();
    },
    async getTask(id: string): Promise<(IncidentTask & { incidentId: string }) | undefined> {
      const row = await q
        .selectFrom('incident_tasks')
        .select(['body', 'incident_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { ...parse<IncidentTask>(row.body), incidentId: row.incident_id };
    },
    async listTasks(
      filter: { incidentId?: string; kind?: string; status?: string } = {},
    ): Promise<(IncidentTask & { incidentId: string })[]> {
      let query = q
        .selectFrom('incident_tasks')
        .select(['body', 'incident_id'])
        .orderBy('created_at');
      if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
      if (filter.kind) query = query.where('kind', '=', filter.kind);
      if (filter.status) query = query.where('status', '=', filter.status);
      return (await query.execute()).map((r) => ({
        ...parse<IncidentTask>(r.body),
        incidentId: r.incident_id,
      }));
    },
    async moveTasks(from: string, to: string): Promise<void> {
      await q
        .updateTable('incident_tasks')
        .set({ incident_id: to })
        .where('incident_id', '=', from)
        .execute();
    },
  };
}
export type RespondRepository = ReturnType<typeof repositoryMethods> & {
  /** Runs `fn` with a repository bound to one transaction (one commit for several writes). */
  transaction<T>(fn: (repo: RespondRepository) => Promise<T>): Promise<T>;
};
