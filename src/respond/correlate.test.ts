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

  it('attaches an alert from the same principal within the window', () => {
    const d = correlateAlert(
      alert({ id: 'alr_2', detector: 'other', time: '2026-01-01T00:10:00.000Z' }),
      [open()],
    );
    expect(d).toEqual({ kind: 'attach', incidentId: 'inc_1', reason: 'same principal mallory' });
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

  it('does not correlate on a key that is switched off', () => {
    const a = alert({ id: 'alr_4', principal: 'eve', sourceAddress: null, atlasTechniques: [] });
    expect(
      correlateAlert(a, [open()], { windowMs: 3_600_000, dedupWindowMs: 0, on: ['principal'] })
        .kind,
    ).toBe('new');
    expect(correlateAlert(a, [open()]).kind).toBe('attach');
  });
});

describe('correlateAlert across models', () => {
  const later = '2026-01-01T00:05:00.000Z';

  it('never attaches an alert about another model, however much else it shares', () => {
    // Same principal, source and technique: before, this joined the fraud incident, and the
    // fraud playbook's approval would have named the wrong model.
    const d = correlateAlert(alert({ id: 'alr_9', model: 'scoring', time: later }), [open()]);
    expect(d).toMatchObject({
      kind: 'new',
      links: [{ incidentId: 'inc_1', reason: 'same principal mallory' }],
    });
  });

  it('links a cross-model campaign by principal or source only, not by a shared technique', () => {
    const bySource = correlateAlert(
      alert({ id: 'alr_10', model: 'scoring', principal: 'eve', time: later }),
      [open()],
    );
    expect(bySource).toMatchObject({
      kind: 'new',
      links: [{ incidentId: 'inc_1', reason: 'same source 10.0.0.9' }],
    });
    const byTechnique = correlateAlert(
      alert({ id: 'alr_11', model: 'scoring', principal: 'eve', sourceAddress: '10.9.9.9' }),
      [open()],
    );
    expect(byTechnique).toMatchObject({ kind: 'new', links: [] });
  });

  it('attaches to the incident about the same model even when another model is more recent', () => {
    const scoring = open({ id: 'inc_2', assets: ['scoring'], lastSeen: later });
    const d = correlateAlert(alert({ id: 'alr_12', detector: 'other', time: later }), [
      scoring,
      open(),
    ]);
    expect(d).toEqual({ kind: 'attach', incidentId: 'inc_1', reason: 'same principal mallory' });
  });

  it('lets an alert naming no model, or an incident with none yet, correlate as before', () => {
    const noModel = correlateAlert(alert({ id: 'alr_13', model: null, detector: 'scan' }), [
      open(),
    ]);
    expect(noModel).toMatchObject({ kind: 'attach', incidentId: 'inc_1' });
    const modelless = open({ assets: [] });
    expect(correlateAlert(alert({ id: 'alr_14', model: 'scoring' }), [modelless]).kind).toBe(
      'attach',
    );
  });
});

describe('correlateAlert re-opening closed incidents', () => {
  const closed = (over: Partial<ClosedCandidate> = {}): ClosedCandidate => ({
    id: 'inc_old',
    assets: ['fraud'],
    principals: ['mallory'],
    closedAt: '2025-12-31T20:00:00.000Z', // four hours before the alert
    ...over,
  });

  it('re-opens a closed incident about the same model and principal within the window', () => {
    expect(correlateAlert(alert(), [], DEFAULT_CORRELATION, [closed()])).toMatchObject({
      kind: 'reopen',
      incidentId: 'inc_old',
      reason: expect.stringMatching(/^same principal mallory on fraud within 86400000 ms/),
    });
  });

  it('opens a new incident when the close is outside the window, or the model or principal differs', () => {
    const options = DEFAULT_CORRELATION;
    const stale = closed({ closedAt: '2025-12-30T00:00:00.000Z' });
    expect(correlateAlert(alert(), [], options, [stale]).kind).toBe('new');
    expect(correlateAlert(alert(), [], options, [closed({ assets: ['scoring'] })]).kind).toBe(
      'new',
    );
    expect(correlateAlert(alert(), [], options, [closed({ principals: ['eve'] })]).kind).toBe(
      'new',
    );
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
