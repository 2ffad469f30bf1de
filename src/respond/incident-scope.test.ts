import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { parsePlaybook, type Playbook } from './index.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

function playbook(yaml: string): Playbook {
  const parsed = parsePlaybook(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.playbook;
}

const throttle = playbook(`
id: throttle
name: Throttles the key, keeps evidence, asks an analyst
trigger: { kinds: [extraction] }
steps:
  - { id: slow, kind: contain, action: { kind: rate_limit, keyId: '{{alert.keyId}}', ratePerSecond: 0.2, burst: 1 } }
  - { id: keep, kind: snapshot_evidence, items: [alerts], window: 1h }
  - { id: review, kind: task, title: 'Review key {{alert.keyId}}' }
`);

const byHand = playbook(`
id: by-hand
name: Suspends the key (run by hand)
trigger: { kinds: [cost] } # never fires here: the test raises no cost alert
steps:
  - { id: suspend, kind: contain, action: { kind: suspend_key, keyId: '{{alert.keyId}}' } }
`);

/** Incidents are per subject: one key's incident never holds, lifts or frees another's. */
describe('incidents per subject', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRespondRig({ playbooks: [throttle, byHand] });
  });
  afterAll(async () => rig.close());

  const settled = async (incidentId: string) => {
    await eventually(async () =>
      (await rig.responder.runner.list({ incidentId })).every((r) => r.status !== 'running'),
    );
    await rig.responder.runner.idle();
  };
  const handle = async (keyId: string, principal: string) => {
    const r = await rig.responder.handleAlert(testAlert({ principal }, keyId));
    await settled(r.incident.id);
    return r;
  };

  it('opens one incident per key on the same model, linked as a campaign', async () => {
    const a = await handle('key_ann', 'ann');
    const b = await handle('key_bob', 'bob');
    expect(b.decision.kind).toBe('new');
    expect(b.incident.id).not.toBe(a.incident.id);
    const detail = await rig.responder.detail(b.incident.id);
    expect(detail.incident.links).toEqual([
      expect.objectContaining({ incidentId: a.incident.id, kind: 'campaign' }),
    ]);
    expect((await rig.responder.incidents.get(a.incident.id)).links).toEqual([
      expect.objectContaining({ incidentId: b.incident.id, kind: 'campaign' }),
    ]);
  });

  it("lifts only the lifted incident's actions: the other key stays throttled", async () => {
    const ann = await handle('key_ann2', 'ann2');
    const bob = await handle('key_bob2', 'bob2');
    await eventually(() => rig.policy().rateLimits.has('key_bob2'));
    const lifted = await rig.responder.liftContainment(ann.incident.id, 'analyst');
    expect(lifted).toHaveLength(1);
    await eventually(() => !rig.policy().rateLimits.has('key_ann2'));
    expect(rig.policy().rateLimits.get('key_bob2')).toMatchObject({ ratePerSecond: 0.2 });
    expect((await rig.responder.actionsOf(bob.incident.id)).every((a) => a.liftedAt === null)).toBe(
      true,
    );
  });

  it('moves runs, tasks, evidence and timing with the alerts on split', async () => {
    const ann = await handle('key_ann3', 'ann3');
    const bob = await handle('key_bob3', 'bob3');
    const before = await rig.responder.incidents.get(bob.incident.id);
    expect(before.timeToContainMs).not.toBeNull();
    await rig.responder.incidents.merge(ann.incident.id, [bob.incident.id], 'analyst');
    const merged = await rig.responder.detail(ann.incident.id);
    // Merge takes bob's alerts and tasks; split must give them back with the run.
    const bobAlerts = merged.alerts.filter((a) => a.evidence.keyId === 'key_bob3').map((a) => a.id);
    await new Promise((r) => setTimeout(r, 30));
    const split = await rig.responder.incidents.split(ann.incident.id, bobAlerts, 'analyst');
    const after = await rig.responder.detail(split.id);
    const left = await rig.responder.detail(ann.incident.id);
    const bobRun = (await rig.responder.runner.list({})).find((r) => r.subject === 'key_bob3')!;
    expect(after.runs.map((r) => r.id)).toEqual([bobRun.id]);
    expect(left.runs.map((r) => r.subject)).toEqual(['key_ann3']);
    expect(after.tasks.map((t) => t.runId)).toEqual([bobRun.id]);
    expect(left.tasks.every((t) => t.runId !== bobRun.id)).toBe(true);
    expect(after.evidence).toHaveLength(1);
    expect(left.evidence).toHaveLength(1);
    expect(after.actions.map((a) => a.action)).toEqual([
      expect.objectContaining({ kind: 'rate_limit', keyId: 'key_bob3' }),
    ]);
    // Raised when the original was: TTD is not the time of the split.
    expect(after.incident.phaseTimes.detected).toBe(left.incident.phaseTimes.detected);
    expect(after.incident.phaseTimes.detected! < split.createdAt).toBe(true);
    expect(after.timeline.map((t) => t.type)).toContain('split_from');
    expect(after.incident.timeToContainMs).toBe(before.timeToContainMs);
    expect(left.incident.timeToContainMs).not.toBeNull();
  });

  it('records time to contain for a playbook run by hand', async () => {
    const { incident } = await rig.responder.handleAlert(
      testAlert({ kind: 'anomaly', principal: 'carl' }, 'key_carl'),
    );
    expect(incident.timeToContainMs).toBeNull();
    await rig.responder.playbooks.run('by-hand', incident.id, 'analyst');
    const contained = await eventually(async () => {
      const i = await rig.responder.incidents.get(incident.id);
      return i.timeToContainMs !== null && i;
    });
    expect(contained.timeToContainMs).toBeGreaterThanOrEqual(0);
    const entry = (await rig.responder.incidents.timeline(incident.id)).find(
      (t) => t.type === 'containment_enforced',
    );
    expect(entry?.data).toMatchObject({ action: 'suspend_key' });
  });
});
