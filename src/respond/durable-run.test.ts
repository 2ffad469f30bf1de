import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { Subjects } from '../bus/index.js';
import { loadPlaybookText } from './index.js';
import type { RespondTables } from './respond-repository.js';

const playbook = loadPlaybookText(
  `
id: durable
name: Durable
trigger: { kinds: [extraction] }
steps:
  - { id: throttle, kind: contain, action: { kind: rate_limit, keyId: "{{alert.keyId}}", ratePerSecond: 1, burst: 1 } }
  - { id: hook, kind: notify, webhook: soc, text: "incident {{incident.id}}", retry: { attempts: 3, backoff: 20ms } }
  - { id: ok, kind: approval, role: lead, prompt: Revoke? }
  - { id: revoke, kind: contain, action: { kind: revoke_key, keyId: "{{alert.keyId}}" } }
`,
  'durable.yaml',
);

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

describe('durable playbook runs', () => {
  let rig: Rig;
  afterEach(async () => rig.close());

  it('resumes a run waiting for an approval after a restart and finishes it', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    await rig.responder.handleAlert(testAlert({}, rig.keyId));
    const approval = await eventually(
      async () => (await rig.responder.approvals.list({ status: 'open' }))[0],
    );
    await rig.responder.close();

    const restarted = await rig.newResponder();
    await restarted.start();
    try {
      await restarted.approvals.decide(approval.id, 'approved', 'lee', 'lead');
      await eventually(async () => (await restarted.runner.list())[0]?.status === 'succeeded');
      expect(await rig.infer()).toBe(403);
      const steps = rig.audit
        .filter((a) => a.type === 'respond.playbook.step')
        .map((a) => a.stepId);
      expect(steps).toEqual(['throttle', 'hook', 'ok', 'revoke']);
    } finally {
      await restarted.close();
    }
  });

  it('retries a failing webhook with backoff, then escalates it to a task', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    rig.webhook.state.status = 500;
    const { incident } = await rig.responder.handleAlert(testAlert({}, rig.keyId));
    const task = await eventually(
      async () =>
        (await rig.responder.incidents.tasks({ incidentId: incident.id, kind: 'task' }))[0],
    );
    expect(task.title).toMatch(
      /step hook \(notify\) failed 3 times: webhook .* answered 500: do it by hand/,
    );
    expect(rig.webhook.received).toHaveLength(3);
    expect(rig.audit.filter((a) => a.type === 'respond.playbook.escalated')).toHaveLength(1);
    // The run went on to the approval: a failed notification never blocks containment.
    await eventually(
      async () => (await rig.responder.approvals.list({ status: 'open' })).length === 1,
    );
  });

  it('escalates a step whose template has no value at once, without retrying', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    const { incident } = await rig.responder.handleAlert(
      testAlert({ evidence: {}, principal: null }),
    );
    const task = await eventually(
      async () =>
        (await rig.responder.incidents.tasks({ incidentId: incident.id, kind: 'task' }))[0],
    );
    expect(task.title).toMatch(
      /step throttle \(contain\) failed 1 times: \{\{alert\.keyId\}\} has no value/,
    );
  });

  it('re-executes a step whose result was lost in a crash without applying its action twice', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    await rig.responder.handleAlert(testAlert({}, rig.keyId));
    await eventually(
      async () => (await rig.responder.approvals.list({ status: 'open' })).length === 1,
    );
    await rig.responder.close();
    // Simulate a crash after the action was applied but before its result was recorded.
    const db = rig.store.db.withTables<RespondTables>();
    const [row] = await db.selectFrom('playbook_runs').selectAll().execute();
    const state = JSON.parse(row!.state);
    state.cursor = 0;
    for (const id of Object.keys(state.steps))
      state.steps[id] = {
        status: 'pending',
        attempts: 0,
        retryAt: null,
        deadline: null,
        outcome: null,
      };
    state.steps.throttle = {
      status: 'executing',
      attempts: 1,
      retryAt: null,
      deadline: null,
      outcome: null,
    };
    await db
      .updateTable('playbook_runs')
      .set({ state: JSON.stringify(state) })
      .execute();
    await db.deleteFrom('playbook_steps').execute();

    const restarted = await rig.newResponder();
    await restarted.start();
    try {
      await eventually(async () =>
        (await restarted.runner.steps(row!.id)).some((r) => r.stepId === 'ok'),
      );
      expect(await restarted.approvals.list({ status: 'open' })).toHaveLength(1);
      const rateLimits = (await rig.actions.list({})).filter((a) => a.action.kind === 'rate_limit');
      expect(rateLimits).toHaveLength(1);
      const outcomes = (await restarted.runner.steps(row!.id)).map((s) => s.result.outcome);
      expect(outcomes[0]).toMatch(/^already applied rate_limit/);
    } finally {
      await restarted.close();
    }
  });

  it('reports an alert that does not match the schema and files nothing', async () => {
    const errors: unknown[] = [];
    rig = await startRespondRig({
      playbooks: [playbook],
      extra: { onError: (e) => errors.push(e) },
    });
    await rig.bus.publish(Subjects.alertRaised, {
      id: 'x',
      kind: 'extraction',
      severity: 'apocalyptic',
    });
    await eventually(() => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'RESPOND_INCIDENT_INVALID' });
    expect(await rig.responder.incidents.list()).toEqual([]);
  });
});
