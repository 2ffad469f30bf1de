import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type Alert } from '../core/index.js';
import type { Store } from '../store/index.js';
import { incidentMetrics } from './incident.js';
import { createIncidentService, type IncidentService } from './incident-service.js';
import { newRun } from './playbook-engine.js';
import { parsePlaybook } from './load-playbook.js';
import { createRespondRepository, type RespondRepository } from './respond-repository.js';
import { createSuppressions } from './suppressions.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let n = 0;
const alert = (over: Partial<Alert> = {}): Alert => ({
  id: `alr_c${++n}`,
  time: new Date(T0).toISOString(),
  detector: 'prada',
  kind: 'extraction',
  model: 'fraud',
  principal: 'mallory',
  sourceAddress: '10.0.0.1',
  severity: 'medium',
  confidence: 0.8,
  title: 'Extraction',
  atlasTechniques: ['AML.T0024.002'],
  owasp: [],
  evidence: {},
  eventIds: [],
  ...over,
});

/** The incident service and repository over one store; run for SQLite and PostgreSQL. */
export function incidentServiceContract(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    let repo: RespondRepository;
    let service: IncidentService;
    const audit: Record<string, unknown>[] = [];
    const clock = createManualClock(T0 + 60_000);
    beforeAll(async () => {
      store = await open();
      repo = createRespondRepository(store.db);
      const assets = new Map([['fraud', { criticality: 'high' as const }]]);
      service = createIncidentService({
        repo,
        audit: async (e) => void audit.push(e),
        clock,
        assets,
      });
    });
    afterAll(async () => store.close());

    const mallorys = async () =>
      (await service.list()).find(
        (i) => i.principals.includes('mallory') && i.assets[0] === 'fraud',
      );

    it('opens an incident, attaches a related alert and counts a repeat as a duplicate', async () => {
      const first = await service.ingest(alert());
      expect(first.decision.kind).toBe('new');
      const second = await service.ingest(
        alert({ detector: 'boundary', time: new Date(T0 + 5000).toISOString() }),
      );
      expect(second.decision).toMatchObject({ kind: 'attach', incidentId: first.incident.id });
      const third = await service.ingest(alert({ time: new Date(T0 + 9000).toISOString() }));
      expect(third.decision.kind).toBe('duplicate');
      const incident = await service.get(first.incident.id);
      expect(incident).toMatchObject({
        alertCount: 2,
        duplicateCount: 1,
        principals: ['mallory'],
        subjects: ['key:mallory'],
        phase: 'detected',
      });
    });

    it('opens another key its own incident, with a campaign link both ways', async () => {
      const mallory = (await mallorys())!;
      const eve = await service.ingest(
        alert({ principal: 'eve', time: new Date(T0 + 6000).toISOString() }),
      );
      expect(eve.decision.kind).toBe('new');
      expect(eve.incident).toMatchObject({ principals: ['eve'], subjects: ['key:eve'] });
      expect(eve.incident.links).toEqual([
        expect.objectContaining({ incidentId: mallory.id, kind: 'campaign' }),
      ]);
      expect((await service.get(mallory.id)).links).toEqual([
        expect.objectContaining({ incidentId: eve.incident.id, kind: 'campaign' }),
      ]);
      expect((await service.get(mallory.id)).alertCount).toBe(2);
    });

    it('keeps assignment, notes and severity overrides on the timeline and in the audit log', async () => {
      const incident = await mallorys();
      await service.assign(incident!.id, 'ann', 'lead');
      await service.note(incident!.id, 'looks like a scraper', 'ann');
      const overridden = await service.overrideSeverity(
        incident!.id,
        'critical',
        'customer data in the model',
        'ann',
      );
      expect(overridden.severity.override).toMatchObject({
        severity: 'critical',
        reason: 'customer data in the model',
        by: 'ann',
      });
      const types = (await service.timeline(incident!.id)).map((t) => t.type);
      expect(types).toEqual([
        'opened',
        'alert_attached',
        'linked',
        'assigned',
        'note',
        'severity_overridden',
      ]);
      expect(audit.map((a) => a.type)).toContain('respond.incident.severity_overridden');
    });

    it('moves phases forward only and derives MTTD, MTTC and MTTR from their times', async () => {
      const incident = await mallorys();
      clock.advance(30_000);
      await service.setPhase(incident!.id, 'contained', 'ann');
      await expect(service.setPhase(incident!.id, 'analysing', 'ann')).rejects.toMatchObject({
        code: 'RESPOND_PHASE_INVALID',
      });
      clock.advance(60_000);
      const recovered = await service.setPhase(incident!.id, 'recovered', 'ann');
      expect(incidentMetrics(recovered)).toEqual({ ttdMs: 60_000, ttcMs: 30_000, ttrMs: 90_000 });
    });

    it('merges incidents and splits alerts back out', async () => {
      const a = await service.ingest(
        alert({
          principal: 'p1',
          sourceAddress: 'a',
          model: 'm1',
          atlasTechniques: ['AML.T0015'],
          kind: 'evasion',
        }),
      );
      const b = await service.ingest(
        alert({
          principal: 'p2',
          sourceAddress: 'b',
          model: 'm2',
          atlasTechniques: ['AML.T0020'],
          kind: 'drift',
        }),
      );
      expect(b.incident.id).not.toBe(a.incident.id);
      const merged = await service.merge(a.incident.id, [b.incident.id], 'ann');
      expect(merged.assets).toEqual(['m1', 'm2']);
      expect((await service.get(b.incident.id)).mergedInto).toBe(a.incident.id);
      const split = await service.split(a.incident.id, [b.incident.alertIds[0]!], 'ann');
      expect(split.assets).toEqual(['m2']);
      expect((await service.get(a.incident.id)).assets).toEqual(['m1']);
      await expect(service.split(a.incident.id, a.incident.alertIds, 'ann')).rejects.toMatchObject({
        code: 'RESPOND_INCIDENT_INVALID',
      });
    });

    it('persists runs and records each step attempt once', async () => {
      const parsed = parsePlaybook(
        'id: p\nname: p\ntrigger: { kinds: [dos] }\nsteps:\n  - { id: t, kind: task, title: x }\n',
      );
      if (!parsed.ok) throw new Error('bad fixture');
      const run = newRun(
        'run_c1',
        parsed.playbook,
        'inc_x',
        'detected',
        new Date(T0).toISOString(),
      );
      await repo.saveRun(run, run.lastAlertAt);
      await repo.saveRun({ ...run, status: 'succeeded' }, run.lastAlertAt);
      expect((await repo.getRun('run_c1'))!.status).toBe('succeeded');
      const record = {
        runId: 'run_c1',
        stepId: 't',
        attempt: 1,
        status: 'succeeded' as const,
        at: run.lastAlertAt,
        result: { outcome: 'first' },
      };
      await repo.recordStep(record);
      await repo.recordStep({ ...record, result: { outcome: 'second' } });
      expect((await repo.stepRecords('run_c1')).map((r) => r.result.outcome)).toEqual(['first']);
    });

    it('stores hostile text exactly as given', async () => {
      const [incident] = await service.list();
      const text = '\'; drop table incidents; -- \u0000\u202e ✓ "x"';
      await service.note(incident!.id, text, 'ann');
      expect((await service.timeline(incident!.id)).at(-1)!.data.text).toBe(text);
    });

    it('re-opens a closed incident for a new alert about the same subject, keeping the closed opening', async () => {
      const subject = { model: 'm-re', principal: 'rita', sourceAddress: null };
      const first = await service.ingest(alert(subject));
      const id = first.incident.id;
      await service.setPhase(id, 'contained', 'ann');
      await service.setTimeToContain(id, 12);
      clock.advance(60_000);
      const closed = await service.setPhase(id, 'closed', 'ann');
      clock.advance(3_600_000);
      const back = await service.ingest(
        alert({ ...subject, time: new Date(clock.now() - 5_000).toISOString() }),
      );
      expect(back.decision).toMatchObject({ kind: 'reopen', incidentId: id });
      const now = new Date(clock.now()).toISOString();
      expect(back.incident).toMatchObject({
        id,
        phase: 'detected',
        phaseTimes: { detected: now },
        timeToContainMs: null,
        alertCount: 2,
      });
      expect(back.incident.reopenings).toEqual([
        expect.objectContaining({
          at: now,
          phaseTimes: closed.phaseTimes,
          timeToContainMs: 12,
        }),
      ]);
      // The metrics describe the current opening: detected 5 s after the re-opening alert.
      expect(incidentMetrics(back.incident).ttdMs).toBe(5_000);
      expect((await service.timeline(id)).at(-1)).toMatchObject({
        type: 'reopened',
        data: { from: 'closed', to: 'detected' },
      });
      expect(audit.map((a) => a.type)).toContain('respond.incident.reopened');
      await service.setPhase(id, 'closed', 'ann');
    });

    it('opens a separate incident for another model by the same principal, linked both ways', async () => {
      const fraud = (await mallorys())!;
      const other = await service.ingest(
        alert({ model: 'scoring', time: new Date(T0 + 10_000).toISOString() }),
      );
      expect(other.decision.kind).toBe('new');
      expect(other.incident.assets).toEqual(['scoring']);
      const link = { kind: 'subject', reason: 'same key mallory (another model)' };
      expect(other.incident.links).toEqual([{ incidentId: fraud.id, ...link }]);
      const back = await service.get(fraud.id);
      expect(back.assets).toEqual(['fraud']);
      expect(back.links).toContainEqual({ incidentId: other.incident.id, ...link });
      expect((await service.timeline(fraud.id)).at(-1)).toMatchObject({
        type: 'linked',
        data: { incidentId: other.incident.id },
      });
    });

    it('keeps suppressions: matched by subject, detector and model until revoked or expired', async () => {
      const suppressions = createSuppressions({
        db: store.db,
        audit: async (e) => void audit.push(e),
        clock,
      });
      const finding = alert({ principal: null, evidence: { keyId: 'key_sup' }, model: 'fraud' });
      const s = await suppressions.create(
        {
          subject: 'key:key_sup',
          detector: 'prada',
          model: 'fraud',
          incidentId: null,
          reason: 'fp',
        },
        60_000,
        'ann',
      );
      expect(await suppressions.match(finding)).toMatchObject({ id: s.id });
      expect(await suppressions.match({ ...finding, detector: 'other' })).toBeNull();
      expect(await suppressions.match({ ...finding, model: 'scoring' })).toBeNull();
      expect(await suppressions.match({ ...finding, evidence: { keyId: 'key_x' } })).toBeNull();
      clock.advance(61_000);
      expect(await suppressions.match(finding)).toBeNull();
      expect(await suppressions.list({ active: true })).toEqual([]);
      const any = await suppressions.create(
        { subject: 'key:key_sup', detector: 'prada', model: null, incidentId: null, reason: 'fp' },
        60_000,
        'ann',
      );
      expect(await suppressions.match({ ...finding, model: 'scoring' })).toMatchObject({
        id: any.id,
      });
      await suppressions.revoke(any.id, 'lead');
      expect(await suppressions.match(finding)).toBeNull();
      expect((await suppressions.list()).map((x) => x.id)).toEqual([any.id, s.id]);
      expect(audit.map((a) => a.type)).toContain('respond.suppression.revoked');
    });
  });
}
