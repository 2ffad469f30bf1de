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
name: Throttles the key
trigger: { kinds: [extraction] }
steps:
  - { id: slow, kind: contain, action: { kind: rate_limit, keyId: '{{alert.keyId}}', ratePerSecond: 0.2, burst: 1 } }
`);

describe('the false-positive workflow', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRespondRig({ playbooks: [throttle] });
  });
  afterAll(async () => rig.close());

  const contained = async (keyId: string, principal: string, detector = 'extraction.novelty') => {
    const r = await rig.responder.receive(testAlert({ principal, detector }, keyId));
    if (r.suppressed) throw new Error('suppressed');
    await eventually(() => rig.policy().rateLimits.has(keyId));
    await rig.responder.runner.idle();
    return r.incident;
  };

  it('closes the incident, lifts its actions and records a suppression in the store and ledger', async () => {
    const incident = await contained('key_clinic', 'clinic');
    const other = await contained('key_thief', 'thief');
    const {
      incident: closed,
      lifted,
      suppressions,
    } = await rig.responder.dispose(
      incident.id,
      { falsePositive: true, reason: 'distinct-row batch scorer', forMs: 3_600_000 },
      'analyst',
    );
    expect(closed).toMatchObject({
      phase: 'closed',
      disposition: { kind: 'false_positive', reason: 'distinct-row batch scorer', by: 'analyst' },
    });
    expect(lifted).toHaveLength(1);
    await eventually(() => !rig.policy().rateLimits.has('key_clinic'));
    expect(rig.policy().rateLimits.has('key_thief')).toBe(true);
    expect(suppressions).toEqual([
      expect.objectContaining({
        subject: 'key:key_clinic',
        detector: 'extraction.novelty',
        model: 'fraud',
        incidentId: incident.id,
      }),
    ]);
    const expiry = Date.parse(suppressions[0]!.expiresAt) - Date.parse(suppressions[0]!.createdAt);
    expect(expiry).toBe(3_600_000);
    expect(await rig.responder.suppressions.list({ active: true })).toHaveLength(1);
    const types = rig.audit.map((a) => a.type);
    expect(types).toContain('respond.suppression.created');
    expect(types).toContain('respond.incident.disposed');
    expect(other.id).not.toBe(incident.id);
  });

  it('opens no incident for a suppressed finding, but keeps and audits the alert', async () => {
    const before = (await rig.responder.incidents.list()).length;
    const alert = testAlert({ principal: 'clinic', detector: 'extraction.novelty' }, 'key_clinic');
    const r = await rig.responder.receive(alert);
    expect(r.suppressed).toMatchObject({ subject: 'key:key_clinic' });
    expect((await rig.responder.incidents.list()).length).toBe(before);
    expect(rig.audit.at(-1)).toMatchObject({ type: 'respond.alert.suppressed', alertId: alert.id });
    expect(rig.policy().rateLimits.has('key_clinic')).toBe(false);
    // Another detector about the same key, or the same detector about another key, still opens one.
    const otherDetector = await rig.responder.receive(
      testAlert({ principal: 'clinic', detector: 'extraction.coverage' }, 'key_clinic'),
    );
    expect(otherDetector.suppressed).toBeNull();
    const otherKey = await rig.responder.receive(
      testAlert({ principal: 'nurse', detector: 'extraction.novelty' }, 'key_nurse'),
    );
    expect(otherKey.suppressed).toBeNull();
  });

  it('lets findings through again once the suppression is revoked', async () => {
    const [s] = await rig.responder.suppressions.list({ active: true });
    const revoked = await rig.responder.suppressions.revoke(s!.id, 'lead');
    expect(revoked).toMatchObject({ revokedBy: 'lead' });
    expect(rig.audit.at(-1)).toMatchObject({ type: 'respond.suppression.revoked' });
    expect(await rig.responder.suppressions.list({ active: true })).toEqual([]);
    const r = await rig.responder.receive(
      testAlert({ principal: 'clinic', detector: 'extraction.novelty' }, 'key_clinic'),
    );
    expect(r.suppressed).toBeNull();
  });

  it('leaves false positives out of MTTD/MTTC/MTTR and reports the false-positive rate', async () => {
    const m = await rig.responder.metrics();
    const all = (await rig.responder.incidents.list({ limit: 1000 })).filter(
      (i) => i.mergedInto === null,
    );
    expect(m.falsePositives).toBe(1);
    expect(m.falsePositiveRate).toBeCloseTo(1 / all.length);
    const fp = all.find((i) => i.disposition?.kind === 'false_positive')!;
    expect(fp.timeToContainMs).not.toBeNull();
  });

  it('refuses a second disposal and a suppression that would last forever', async () => {
    const fp = (await rig.responder.incidents.list({ limit: 1000 })).find(
      (i) => i.disposition?.kind === 'false_positive',
    )!;
    await expect(
      rig.responder.dispose(fp.id, { falsePositive: true, reason: 'again' }, 'analyst'),
    ).rejects.toMatchObject({ code: 'RESPOND_DISPOSE_INVALID' });
    const open = await contained('key_long', 'long');
    await expect(
      rig.responder.dispose(open.id, { falsePositive: true, reason: 'x', forMs: 1e13 }, 'analyst'),
    ).rejects.toMatchObject({ code: 'RESPOND_SUPPRESSION_INVALID' });
    // Nothing was lifted or closed by the refused disposal.
    expect(rig.policy().rateLimits.has('key_long')).toBe(true);
    expect((await rig.responder.incidents.get(open.id)).phase).not.toBe('closed');
    await expect(rig.responder.suppressions.revoke('sup_nope', 'x')).rejects.toMatchObject({
      code: 'RESPOND_SUPPRESSION_UNKNOWN',
    });
  });
});
