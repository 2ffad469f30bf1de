import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../bus/index.js';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { loadPlaybookDir } from './index.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

describe('responder with the shipped model-extraction playbook, a real gateway and HTTP', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRespondRig({
      playbooks: (await loadPlaybookDir('playbooks', ['soc'])).filter(
        (p) => p.id === 'model-extraction',
      ),
    });
  });
  afterAll(async () => rig.close());

  it('contains an extraction at the gateway within 100 ms of the alert and records the time', async () => {
    expect(await rig.infer()).toBe(200);
    await rig.bus.publish(Subjects.alertRaised, testAlert({}, rig.keyId));
    const incident = await eventually(
      async () =>
        (await rig.responder.incidents.list())[0]?.timeToContainMs != null &&
        (await rig.responder.incidents.list())[0],
    );
    expect(incident.timeToContainMs).toBeLessThan(100);
    expect(rig.policy().rateLimits.get(rig.keyId)).toMatchObject({ ratePerSecond: 0.2, burst: 1 });
    // The burst of one is spent by the first call; the second within 5 s is throttled.
    const statuses = [await rig.infer(), await rig.infer()];
    expect(statuses).toContain(429);
  });

  it('fills the incident: category, ATLAS and OWASP ids, severity reasons, evidence, notification', async () => {
    const [incident] = await rig.responder.incidents.list();
    expect(incident).toMatchObject({
      category: 'model-theft',
      impactType: 'confidentiality',
      assets: ['fraud'],
      principals: ['mallory'],
    });
    expect(incident!.atlasTechniques).toEqual(['AML.T0024.002']);
    expect(incident!.owasp).toContain('ML05:2023');
    expect(incident!.severity.computed).toBe('critical');
    expect(incident!.severity.reasons[0]).toMatch(/criticality critical/);
    await eventually(() => rig.webhook.received.length > 0);
    const hook = rig.webhook.received[0]!;
    const signature = createHmac('sha256', 'test-secret')
      .update(`${hook.headers['x-aisoc-timestamp']}.${hook.body}`)
      .digest('hex');
    expect(hook.headers['x-aisoc-signature']).toBe(`v1=${signature}`);
    expect(JSON.parse(hook.body).text).toMatch(/Model extraction suspected on fraud by mallory/);
    const evidence = await rig.responder.evidence.list(incident!.id);
    expect(evidence.map((e) => e.kind).sort()).toEqual([
      'alerts',
      'config',
      'detector_state',
      'events',
    ]);
    expect(rig.audit.filter((a) => a.type === 'respond.evidence.collected')).toHaveLength(4);
  });

  it('files a repeat of the same finding as a duplicate and a related alert into the same incident', async () => {
    const [before] = await rig.responder.incidents.list();
    await rig.responder.handleAlert(testAlert({ detector: 'prada' }, rig.keyId));
    const attached = await rig.responder.handleAlert(
      testAlert(
        { detector: 'boundary', kind: 'extraction', atlasTechniques: ['AML.T0040'] },
        rig.keyId,
      ),
    );
    expect(attached.decision.kind).toBe('attach');
    // Under load (CI) the incident's summary was once read before it took the second technique.
    const after = await eventually(async () => {
      const incident = await rig.responder.incidents.get(before!.id);
      return incident.atlasTechniques.length === 2 && incident;
    });
    expect(after.duplicateCount).toBe(before!.duplicateCount + 1);
    expect(after.atlasTechniques).toEqual(['AML.T0024.002', 'AML.T0040']);
    expect(await rig.responder.incidents.list()).toHaveLength(1);
  });

  it('refuses an approval by the wrong role, records it, then revokes once the right role approves', async () => {
    const [incident] = await rig.responder.incidents.list();
    const approval = await eventually(async () =>
      (await rig.responder.approvals.list({ status: 'open' })).find((a) =>
        a.title.startsWith('Revoke key'),
      ),
    );
    expect(approval.role).toBe('soc-lead');
    // The approval task exists a moment before its step's attempt is recorded; deciding in
    // between would reorder the audit entries this test checks.
    await eventually(() =>
      rig.audit.some((a) => a.type === 'respond.playbook.step' && a.stepId === 'approve-revoke'),
    );
    const request = await eventually(() =>
      rig.webhook.received.find((r) => r.body.includes(approval.id)),
    );
    expect(JSON.parse(request.body).text).toContain(
      `aisoc approvals approve ${approval.id} --role soc-lead`,
    );
    await expect(
      rig.responder.approvals.decide(approval.id, 'approved', 'intern', 'soc-analyst'),
    ).rejects.toMatchObject({ code: 'RESPOND_APPROVAL_WRONG_ROLE' });
    expect(
      (await rig.responder.incidents.timeline(incident!.id)).some(
        (t) => t.type === 'approval_refused',
      ),
    ).toBe(true);
    await rig.responder.approvals.decide(approval.id, 'approved', 'ann', 'soc-lead');
    await eventually(
      async () =>
        (await rig.responder.runner.list()).find((r) => r.playbookId === 'model-extraction')
          ?.status === 'succeeded',
    );
    expect(await rig.infer()).toBe(403);
    expect((await rig.responder.incidents.get(incident!.id)).phase).toBe('contained');
    const steps = rig.audit.filter(
      (a) => a.type === 'respond.playbook.step' && a.playbookId === 'model-extraction',
    );
    expect(steps.map((s) => s.stepId)).toEqual([
      'throttle',
      'round-scores',
      'watermark',
      'keep-evidence',
      'tell-soc',
      'analyse',
      'estimate-loss',
      'approve-revoke',
      'revoke',
      'contained',
      'harden',
    ]);
  });

  it('lifts every containment the run applied, and the gateway serves the key again', async () => {
    for (const a of await rig.actions.list({ active: true })) await rig.actions.lift(a.id, 'ann');
    await eventually(() => rig.policy().keys.size === 0 && rig.policy().rateLimits.size === 0);
    expect(await rig.infer()).toBe(200);
  });
});
