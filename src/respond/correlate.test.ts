import { describe, expect, it } from 'vitest';
import type { Alert } from '../core/index.js';
import {
  correlateAlert,
  dedupKey,
  DEFAULT_CORRELATION,
  type ClosedCandidate,
  type CorrelationCandidate,
} from './correlate.js';
import { computeSeverity } from './severity.js';

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'alr_1',
    time: '2026-01-01T00:00:00.000Z',
    detector: 'prada',
    kind: 'extraction',
    model: 'fraud',
    principal: 'mallory',
    sourceAddress: '10.0.0.9',
    severity: 'high',
    confidence: 0.9,
    title: 'Extraction pattern',
    atlasTechniques: ['AML.T0024.002'],
    owasp: ['ML05:2023'],
    evidence: {},
    eventIds: [],
    ...over,
  };
}

const open = (over: Partial<CorrelationCandidate> = {}): CorrelationCandidate => ({
  id: 'inc_1',
  assets: ['fraud'],
  principals: ['mallory'],
  sources: ['10.0.0.9'],
  subjects: ['key:mallory'],
  kinds: ['extraction'],
  atlasTechniques: ['AML.T0024.002'],
  lastSeen: '2026-01-01T00:00:00.000Z',
  recent: [],
  alertIds: [],
  ...over,
});

describe('correlateAlert', () => {
  it('opens a new incident when nothing is open', () => {
    expect(correlateAlert(alert(), []).kind).toBe('new');
  });

  it('attaches an alert about the same key, model and technique family within the window', () => {
    const d = correlateAlert(
      alert({ id: 'alr_2', detector: 'other', time: '2026-01-01T00:10:00.000Z' }),
      [open()],
    );
    expect(d).toEqual({
      kind: 'attach',
      incidentId: 'inc_1',
      reason: 'same key mallory, extraction on fraud',
    });
  });

  it('opens a new incident when the match is outside the window', () => {
    const d = correlateAlert(alert({ id: 'alr_2', time: '2026-01-01T02:00:00.000Z' }), [open()]);
    expect(d.kind).toBe('new');
  });

  it('treats the same alert id and a quick repeat of the same finding as duplicates', () => {
    expect(correlateAlert(alert(), [open({ alertIds: ['alr_1'] })]).kind).toBe('duplicate');
    const recent = [{ key: dedupKey(alert()), time: '2026-01-01T00:00:00.000Z' }];
    const d = correlateAlert(alert({ id: 'alr_3', time: '2026-01-01T00:00:30.000Z' }), [
      open({ recent }),
    ]);
    expect(d.kind).toBe('duplicate');
  });

  it('never folds another key into the incident, however much else it shares, but links the campaign', () => {
    // Same model, source, technique and detector: before, this joined mallory's incident and
    // lifting eve's containment lifted mallory's.
    const d = correlateAlert(alert({ id: 'alr_4', principal: 'eve' }), [open()]);
    expect(d).toMatchObject({
      kind: 'new',
      links: [
        { incidentId: 'inc_1', kind: 'campaign', reason: expect.stringMatching(/^campaign/) },
      ],
    });
  });

  it('keeps each source network of a per-network finding in its own incident', () => {
    const net = (id: string, subject: string) =>
      alert({ id, principal: null, detector: 'extraction.network', evidence: { subject } });
    const first = open({ subjects: ['network:10.0.0.0/24'], principals: [] });
    expect(correlateAlert(net('alr_5', '10.0.0.0/24'), [first]).kind).toBe('attach');
    expect(correlateAlert(net('alr_6', '10.0.1.0/24'), [first])).toMatchObject({
      kind: 'new',
      links: [{ kind: 'campaign' }],
    });
    // Not a duplicate of the first network's finding either.
    const recent = [{ key: dedupKey(net('alr_5', '10.0.0.0/24')), time: alert().time }];
    expect(correlateAlert(net('alr_7', '10.0.1.0/24'), [{ ...first, recent }]).kind).toBe('new');
  });

  it('opens another incident, linked, for the same key in another technique family', () => {
    const d = correlateAlert(alert({ id: 'alr_8', kind: 'anomaly' }), [open()]);
    expect(d).toMatchObject({
      kind: 'new',
      links: [
        {
          incidentId: 'inc_1',
          kind: 'subject',
          reason: 'same key mallory (another technique family)',
        },
      ],
    });
  });

  it('takes no alert into an incident stored before subjects were kept', () => {
    const legacy = open({ subjects: undefined, kinds: undefined });
    expect(correlateAlert(alert({ id: 'alr_9' }), [legacy]).kind).toBe('new');
  });
});

describe('correlateAlert across models', () => {
  const later = '2026-01-01T00:05:00.000Z';

  it('never attaches an alert about another model, and links the same key there', () => {
    const d = correlateAlert(alert({ id: 'alr_9', model: 'scoring', time: later }), [open()]);
    expect(d).toMatchObject({
      kind: 'new',
      links: [{ incidentId: 'inc_1', kind: 'subject', reason: 'same key mallory (another model)' }],
    });
  });

  it('links nothing for another key on another model', () => {
    const d = correlateAlert(
      alert({ id: 'alr_11', model: 'scoring', principal: 'eve', sourceAddress: '10.9.9.9' }),
      [open()],
    );
    expect(d).toMatchObject({ kind: 'new', links: [] });
  });

  it('attaches to the incident about the same model even when another model is more recent', () => {
    const scoring = open({ id: 'inc_2', assets: ['scoring'], lastSeen: later });
    const d = correlateAlert(alert({ id: 'alr_12', detector: 'other', time: later }), [
      scoring,
      open(),
    ]);
    expect(d).toMatchObject({ kind: 'attach', incidentId: 'inc_1' });
  });

  it('keeps an alert naming no model apart from incidents about a model', () => {
    const noModel = correlateAlert(alert({ id: 'alr_13', model: null, detector: 'scan' }), [
      open(),
    ]);
    expect(noModel.kind).toBe('new');
    const modelless = open({ assets: [] });
    expect(
      correlateAlert(alert({ id: 'alr_14', model: null, detector: 'scan' }), [modelless]).kind,
    ).toBe('attach');
  });
});

describe('correlateAlert re-opening closed incidents', () => {
  const closed = (over: Partial<ClosedCandidate> = {}): ClosedCandidate => ({
    id: 'inc_old',
    assets: ['fraud'],
    principals: ['mallory'],
    subjects: ['key:mallory'],
    kinds: ['extraction'],
    closedAt: '2025-12-31T20:00:00.000Z', // four hours before the alert
    ...over,
  });

  it('re-opens a closed incident about the same key, model and family within the window', () => {
    expect(correlateAlert(alert(), [], DEFAULT_CORRELATION, [closed()])).toMatchObject({
      kind: 'reopen',
      incidentId: 'inc_old',
      reason: expect.stringMatching(/^same key mallory on fraud within 86400000 ms/),
    });
  });

  it('opens a new incident when the close is outside the window, or the model, key or family differs', () => {
    const options = DEFAULT_CORRELATION;
    const stale = closed({ closedAt: '2025-12-30T00:00:00.000Z' });
    expect(correlateAlert(alert(), [], options, [stale]).kind).toBe('new');
    expect(correlateAlert(alert(), [], options, [closed({ assets: ['scoring'] })]).kind).toBe(
      'new',
    );
    expect(correlateAlert(alert(), [], options, [closed({ subjects: ['key:eve'] })]).kind).toBe(
      'new',
    );
    expect(correlateAlert(alert(), [], options, [closed({ kinds: ['evasion'] })]).kind).toBe('new');
    const never = { ...options, reopenWindowMs: 0 };
    expect(correlateAlert(alert(), [], never, [closed()]).kind).toBe('new');
  });

  it('prefers an open incident to re-opening a closed one', () => {
    expect(
      correlateAlert(alert({ id: 'alr_20' }), [open()], DEFAULT_CORRELATION, [closed()]),
    ).toMatchObject({ kind: 'attach', incidentId: 'inc_1' });
  });
});

describe('computeSeverity', () => {
  it('rates a confident attack on a critical asset with restricted data as critical, with reasons', () => {
    const s = computeSeverity({
      criticality: 'critical',
      impactType: 'integrity',
      confidence: 1,
      dataSensitivity: 'restricted',
      alertSeverity: 'high',
    });
    expect(s.computed).toBe('critical');
    expect(s.reasons.join('\n')).toMatch(/asset criticality critical \(\+4\)/);
  });

  it('rates a weak signal on a low asset low, but never more than one step under the detector', () => {
    const low = computeSeverity({
      criticality: 'low',
      impactType: 'availability',
      confidence: 0.2,
      dataSensitivity: 'public',
      alertSeverity: 'info',
    });
    expect(low.computed).toBe('info');
    const floored = computeSeverity({
      criticality: 'low',
      impactType: 'availability',
      confidence: 0.2,
      dataSensitivity: 'public',
      alertSeverity: 'critical',
    });
    expect(floored.computed).toBe('high');
    expect(floored.reasons.at(-1)).toMatch(/raised to high/);
  });
});
