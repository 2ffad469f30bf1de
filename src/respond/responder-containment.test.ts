import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../core/index.js';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { DEFAULT_CORRELATION, loadPlaybookDir, parsePlaybook, type Playbook } from './index.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

function playbook(yaml: string): Playbook {
  const parsed = parsePlaybook(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.playbook;
}

const hardenOnly = playbook(`
id: harden-only
name: Only hardens the outputs
trigger: { kinds: [dos] }
steps:
  - { id: round, kind: contain, action: { kind: harden_output, model: fraud, mode: round, decimals: 2 } }
`);

const mitigateThenThrottle = playbook(`
id: mitigate-then-throttle
name: Hardens, limits a bystander key, then throttles the attacker's key
trigger: { kinds: [extraction] }
steps:
  - { id: round, kind: contain, action: { kind: harden_output, model: fraud, mode: round, decimals: 2 } }
  - { id: other-key, kind: contain, action: { kind: rate_limit, keyId: key_bystander, ratePerSecond: 5, burst: 5 } }
  - { id: throttle, kind: contain, action: { kind: rate_limit, keyId: '{{alert.keyId}}', ratePerSecond: 0.2, burst: 1 } }
`);

describe('time to contain counts only actions that constrain the incident', () => {
  let rig: Rig;
  beforeAll(async () => {
    const shipped = await loadPlaybookDir('playbooks', ['soc']);
    rig = await startRespondRig({
      playbooks: [hardenOnly, mitigateThenThrottle, shipped.find((p) => p.id === 'query-anomaly')!],
      // Every alert its own incident, so each case is measured alone.
      extra: { correlation: { windowMs: 0, dedupWindowMs: 0, on: [] } },
    });
  });
  afterAll(async () => rig.close());

  const handled = async (over: Parameters<typeof testAlert>[0], keyId = rig.keyId) => {
    const { incident, runs } = await rig.responder.handleAlert(testAlert(over, keyId));
    await eventually(async () =>
      (await rig.responder.runner.list({ incidentId: incident.id })).every(
        (r) => r.status !== 'running',
      ),
    );
    await rig.responder.runner.idle();
    return { incident: await rig.responder.incidents.get(incident.id), runs };
  };
  const enforcedBy = async (incidentId: string) =>
    (await rig.responder.incidents.timeline(incidentId)).filter(
      (t) => t.type === 'containment_enforced',
    );

  it('leaves time to contain unset when only harden_output ran, though it is enforced', async () => {
    const { incident, runs } = await handled({ kind: 'dos' });
    expect(runs.map((r) => r.playbookId)).toEqual(['harden-only']);
    expect(rig.policy().hardened.get('fraud')).toMatchObject({ mode: 'round' });
    expect(incident.timeToContainMs).toBeNull();
    expect(await enforcedBy(incident.id)).toEqual([]);
  });

  it("sets it when the attacker's key is throttled, not by hardening or another key's limit", async () => {
    const { incident } = await handled({ kind: 'extraction' });
    const throttle = (await rig.actions.list({ active: true })).find(
      (a) => a.action.kind === 'rate_limit' && a.action.keyId === rig.keyId,
    )!;
    expect(incident.timeToContainMs).not.toBeNull();
    const [entry, ...more] = await enforcedBy(incident.id);
    expect(more).toEqual([]);
    expect(entry!.data).toMatchObject({ actionId: throttle.id, action: 'rate_limit' });
    expect(rig.policy().rateLimits.get(rig.keyId)).toMatchObject({ ratePerSecond: 0.2, burst: 1 });
  });

  it('never lets a gentle limit from another playbook loosen a strict one on the same key', async () => {
    const { incident } = await handled({
      kind: 'anomaly',
      detector: 'extraction.outlier',
      severity: 'medium',
    });
    const run = (await rig.responder.runner.list({ incidentId: incident.id }))[0]!;
    const step = (await rig.responder.runner.steps(run.id)).find((s) => s.stepId === 'slow-key')!;
    expect(String(step.result.outcome)).toMatch(/^kept rate_limit .*already limited to 0.2\/s/);
    expect(rig.policy().rateLimits.get(rig.keyId)).toMatchObject({ ratePerSecond: 0.2, burst: 1 });
    // The key is held by an action in force: this incident is contained too.
    expect(incident.timeToContainMs).not.toBeNull();
  });

  it('re-opens a closed incident when its attacker returns, runs its playbook again and times it anew', async () => {
    const rex = { kind: 'extraction', principal: 'rex' } as const;
    const first = await handled(rex, 'key_rex');
    expect(rig.policy().rateLimits.get('key_rex')).toMatchObject({ ratePerSecond: 0.2 });
    await rig.responder.liftContainment(first.incident.id, 'ann');
    await rig.responder.setPhase(first.incident.id, 'closed', 'ann');
    await eventually(() => !rig.policy().rateLimits.has('key_rex'));

    const again = await handled(rex, 'key_rex');
    expect(again.incident.id).toBe(first.incident.id);
    expect(again.runs).toHaveLength(1);
    expect(again.incident).toMatchObject({ phase: 'detected', alertCount: 2 });
    expect(again.incident.timeToContainMs).not.toBeNull();
    expect(again.incident.reopenings).toEqual([
      expect.objectContaining({ timeToContainMs: first.incident.timeToContainMs }),
    ]);
    expect(rig.policy().rateLimits.get('key_rex')).toMatchObject({ ratePerSecond: 0.2 });
    const runs = await rig.responder.runner.list({ incidentId: first.incident.id });
    expect(runs.map((r) => r.opening ?? 0).sort()).toEqual([0, 1]);
    const types = (await rig.responder.incidents.timeline(first.incident.id)).map((t) => t.type);
    expect(types.filter((t) => t === 'containment_enforced')).toHaveLength(2);
    expect(types.indexOf('reopened')).toBeGreaterThan(types.indexOf('phase_changed'));
  });
});

describe('the shipped query-anomaly playbook (per-principal anomalies)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRespondRig({
      playbooks: await loadPlaybookDir('playbooks', ['soc']),
      // The per-network incident is closed after the first case; nothing re-opens it.
      extra: { correlation: { ...DEFAULT_CORRELATION, reopenWindowMs: 0 } },
    });
  });
  afterAll(async () => rig.close());

  const outlier = (keyId?: string) =>
    testAlert(
      {
        kind: 'anomaly',
        detector: keyId ? 'extraction.outlier' : 'extraction.network.outlier',
        severity: 'medium',
        confidence: 0.6,
        title: '12 of the last 40 queries lie outside the model reference data',
        atlasTechniques: ['AML.T0043'],
        owasp: ['ML01:2023'],
        evidence: keyId ? { keyId, subject: 'mallory' } : { subject: '127.0.0.0/24' },
      },
      keyId,
    );

  it('does nothing for a per-network anomaly, which names no key to act on', async () => {
    const { incident, runs } = await rig.responder.handleAlert(outlier());
    expect(runs).toEqual([]);
    expect(incident.category).toBe('suspicious-queries');
    await rig.responder.incidents.setPhase(incident.id, 'closed', 'test');
  });

  it('slows the key gently, keeps evidence and asks an analyst, without suspending it', async () => {
    expect(await rig.infer()).toBe(200);
    const { incident, runs, decision } = await rig.responder.handleAlert(outlier(rig.keyId));
    expect(decision.kind).toBe('new');
    expect(runs.map((r) => r.playbookId)).toEqual(['query-anomaly']);
    await eventually(async () => (await rig.responder.runner.list())[0]?.status === 'succeeded');
    expect(rig.policy().rateLimits.get(rig.keyId)).toMatchObject({ ratePerSecond: 1, burst: 10 });
    expect(rig.policy().keys.size).toBe(0);
    // A person's pace still gets answers: the burst of ten is not spent by a few queries.
    expect([await rig.infer(), await rig.infer(), await rig.infer()]).toEqual([200, 200, 200]);
    const tasks = await rig.responder.incidents.tasks({ incidentId: incident.id });
    expect(tasks).toEqual([
      expect.objectContaining({
        kind: 'task',
        role: 'soc-analyst',
        title: expect.stringContaining(
          `aisoc playbooks run model-extraction --incident ${incident.id}`,
        ),
      }),
    ]);
    const evidence = await rig.responder.evidence.list(incident.id);
    expect(evidence.map((e) => e.kind).sort()).toEqual(['alerts', 'detector_state', 'events']);
    const after = await rig.responder.incidents.get(incident.id);
    expect(after.phase).toBe('analysing');
    expect(after.timeToContainMs).not.toBeNull();
    await eventually(() =>
      rig.webhook.received.some((r) => r.body.includes(`key ${rig.keyId}): 12 of the last 40`)),
    );
  });
});

describe('alerts about different models open separate incidents', () => {
  let rig: Rig;
  beforeAll(async () => {
    const shipped = await loadPlaybookDir('playbooks', ['soc']);
    rig = await startRespondRig({ playbooks: shipped.filter((p) => p.id === 'fraud-evasion') });
  });
  afterAll(async () => rig.close());

  it('runs the fraud-evasion playbook per model, each approval naming its own model', async () => {
    const evasion: Partial<Alert> = {
      kind: 'evasion',
      atlasTechniques: ['AML.T0043'],
      severity: 'high',
    };
    const scoring = await rig.responder.handleAlert(
      testAlert({ ...evasion, model: 'scoring' }, rig.keyId),
    );
    const fraud = await rig.responder.handleAlert(
      testAlert({ ...evasion, model: 'fraud' }, rig.keyId),
    );
    expect(fraud.decision.kind).toBe('new');
    expect(fraud.incident.id).not.toBe(scoring.incident.id);
    expect(fraud.incident.links).toEqual([
      {
        incidentId: scoring.incident.id,
        kind: 'subject',
        reason: `same key ${rig.keyId} (another model)`,
      },
    ]);
    expect(fraud.runs).toHaveLength(1);
    const approvals = await eventually(async () => {
      const open = await rig.responder.approvals.list({ status: 'open' });
      return open.length === 2 && open;
    }, 10_000);
    const prompt = (id: string) => approvals.find((a) => a.incidentId === id)!.title;
    expect(prompt(scoring.incident.id)).toMatch(/^Route scoring to its fallback/);
    expect(prompt(fraud.incident.id)).toMatch(/^Route fraud to its fallback/);
  });
});

describe('extraction spread over keys from one network (shipped playbooks)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRespondRig({
      playbooks: await loadPlaybookDir('playbooks', ['soc']),
      extra: { correlation: { windowMs: 0, dedupWindowMs: 0, on: [] } },
    });
  });
  afterAll(async () => rig.close());

  const networkAlert = () =>
    testAlert({
      detector: 'extraction.network.similarity',
      principal: null,
      evidence: { subject: '127.0.0.0/24' },
    });

  it("asks before any model-wide action on one network's finding, blaming no key", async () => {
    const { incident, runs } = await rig.responder.handleAlert(networkAlert());
    expect(runs.map((r) => r.playbookId).sort()).toEqual([
      'distributed-extraction',
      'extraction-campaign',
    ]);
    const open = async () => rig.responder.approvals.list({ status: 'open' });
    await eventually(async () => (await open()).length === 2);
    const titles = (await open()).map((a) => a.title).sort();
    expect(titles[0]).toMatch(/^Round every caller's scores on fraud/);
    expect(titles[1]).toMatch(
      /^Run the extraction detectors before answering every caller of fraud/,
    );
    // One subject flagged: the model-wide rounding waits for a person.
    await rig.responder.runner.idle();
    expect(rig.policy().hardened.has('fraud')).toBe(false);
    expect(rig.policy().rateLimits.size).toBe(0);
    const tasks = await rig.responder.incidents.tasks({ incidentId: incident.id });
    expect(tasks.some((t) => t.title.includes('from 127.0.0.0/24'))).toBe(true);
  });

  it('contains a flagged key itself, and rounds for everyone once a second subject agrees', async () => {
    const { incident, runs } = await rig.responder.handleAlert(testAlert({}, rig.keyId));
    expect(runs.map((r) => r.playbookId).sort()).toEqual([
      'extraction-campaign',
      'model-extraction',
    ]);
    // The network's incident and this key's are both confident extraction on fraud.
    const hardened = await eventually(() => rig.policy().hardened.get('fraud'));
    expect(hardened).toMatchObject({ mode: 'round', decimals: 2 });
    const keyHardened = await eventually(() =>
      rig.policy().keyHardened.get(`fraud\u0000${rig.keyId}`),
    );
    expect(keyHardened).toMatchObject({ mode: 'round' });
    // Each playbook step is its own action: the watermark may land after the rounding.
    const watermarked = await eventually(() =>
      rig.policy().watermarked.get(`fraud\u0000${rig.keyId}`),
    );
    expect(watermarked).toMatchObject({ share: 0.004 });
    const approved = await eventually(() =>
      rig.audit.find(
        (a) =>
          a.type === 'respond.playbook.step' &&
          a.stepId === 'approve-round-all' &&
          a.incidentId === incident.id,
      ),
    );
    expect(String(approved.outcome)).toMatch(/^approved without a person: 2 subjects agree/);
    const actions = await rig.responder.actionsOf(incident.id);
    expect(actions.map((a) => a.action.kind)).toContain('harden_output');
  });
});
