import type { Kysely } from 'kysely';
import { canonicalJson } from '../core/index.js';
import type { Database } from '../store/index.js';
import type { RunState } from './playbook-engine.js';
import type { RespondTables } from './respond-repository.js';

export interface EvidenceItem {
  id: string;
  incidentId: string;
  digest: string;
  kind: string;
  size: number;
  mediaType: string;
  description: string;
  collectedBy: string;
  createdAt: string;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  attempt: number;
  status: 'succeeded' | 'failed';
  at: string;
  result: Record<string, unknown>;
}

const json = (v: unknown) => canonicalJson(v);
const parse = <T>(text: string) => JSON.parse(text) as T;

/** Evidence items, playbook runs and their step records (part of the respond repository). */
export function runRecordMethods(db: Kysely<Database>) {
  const q = db.withTables<RespondTables>();
  return {
    async insertEvidence(e: EvidenceItem): Promise<void> {
      await q
        .insertInto('evidence_items')
        .values({
          id: e.id,
          incident_id: e.incidentId,
          digest: e.digest,
          kind: e.kind,
          created_at: e.createdAt,
          body: json(e),
        })
        .execute();
    },
    async listEvidence(incidentId?: string): Promise<EvidenceItem[]> {
      let query = q.selectFrom('evidence_items').select('body').orderBy('created_at');
      if (incidentId) query = query.where('incident_id', '=', incidentId);
      return (await query.execute()).map((r) => parse<EvidenceItem>(r.body));
    },
    async saveRun(state: RunState, at: string): Promise<void> {
      const row = {
        id: state.id,
        playbook_id: state.playbookId,
        incident_id: state.incidentId,
        status: state.status,
        created_at: at,
        updated_at: at,
        state: json(state),
      };
      await q
        .insertInto('playbook_runs')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ status: row.status, updated_at: at, state: row.state }),
        )
        .execute();
    },
    async getRun(id: string): Promise<RunState | undefined> {
      const row = await q
        .selectFrom('playbook_runs')
        .select('state')
        .where('id', '=', id)
        .executeTakeFirst();
      return row && parse<RunState>(row.state);
    },
    async listRuns(filter: { status?: string; incidentId?: string } = {}): Promise<RunState[]> {
      let query = q.selectFrom('playbook_runs').select('state').orderBy('created_at');
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
      return (await query.execute()).map((r) => parse<RunState>(r.state));
    },
    /** Re-files a run and its tasks under another incident. */
    async moveRun(runId: string, to: string): Promise<void> {
      const run = await q
        .selectFrom('playbook_runs')
        .select('state')
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!run) return;
      const state = json({ ...parse<RunState>(run.state), incidentId: to });
      await q
        .updateTable('playbook_runs')
        .set({ incident_id: to, state })
        .where('id', '=', runId)
        .execute();
      await q
        .updateTable('incident_tasks')
        .set({ incident_id: to })
        .where('run_id', '=', runId)
        .execute();
    },
    /** Re-files evidence items under another incident (their digests and bytes stay). */
    async moveEvidence(evidenceIds: readonly string[], to: string): Promise<void> {
      for (const id of evidenceIds) {
        const item = await q
          .selectFrom('evidence_items')
          .select('body')
          .where('id', '=', id)
          .executeTakeFirst();
        if (!item) continue;
        const body = json({ ...parse<EvidenceItem>(item.body), incidentId: to });
        await q
          .updateTable('evidence_items')
          .set({ incident_id: to, body })
          .where('id', '=', id)
          .execute();
      }
    },
    async recordStep(s: StepRecord): Promise<void> {
      await q
        .insertInto('playbook_steps')
        .values({
          run_id: s.runId,
          step_id: s.stepId,
          attempt: s.attempt,
          status: s.status,
          at: s.at,
          result: json(s.result),
        })
        .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
        .execute();
    },
    async stepRecords(runId: string, stepId?: string): Promise<StepRecord[]> {
      let query = q
        .selectFrom('playbook_steps')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('at')
        .orderBy('attempt');
      if (stepId) query = query.where('step_id', '=', stepId);
      return (await query.execute()).map((r) => ({
        runId: r.run_id,
        stepId: r.step_id,
        attempt: Number(r.attempt),
        status: r.status as StepRecord['status'],
        at: r.at,
        result: parse(r.result),
      }));
    },
  };
}
