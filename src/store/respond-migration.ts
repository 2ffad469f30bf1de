import type { Kysely } from 'kysely';

// Tables of the respond module (incidents, playbook runs, evidence). Frozen like every
// migration: plain SQL types only. Documents are canonical JSON in `body`/`state`; the
// columns beside them are what queries filter on.

/** Migration `0003_respond`: alerts, incidents, timeline, tasks, evidence, playbook runs. */
export async function createRespondTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('respond_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text')
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('principal', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('respond_alerts_incident_idx')
    .on('respond_alerts')
    .column('incident_id')
    .execute();
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('merged_into', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_phase_idx').on('incidents').column('phase').execute();
  await db.schema
    .createTable('incident_timeline')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_timeline_incident_idx')
    .on('incident_timeline')
    .columns(['incident_id', 'at'])
    .execute();
  await db.schema
    .createTable('incident_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('step_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_tasks_incident_idx')
    .on('incident_tasks')
    .column('incident_id')
    .execute();
  await db.schema
    .createTable('evidence_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_items_incident_idx')
    .on('evidence_items')
    .column('incident_id')
    .execute();
  await createRunTables(db);
}

async function createRunTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('playbook_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('playbook_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('playbook_runs_status_idx')
    .on('playbook_runs')
    .column('status')
    .execute();
  await db.schema
    .createTable('playbook_steps')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('playbook_steps_pk', ['run_id', 'step_id', 'attempt'])
    .execute();
}
