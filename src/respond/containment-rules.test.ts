import { describe, expect, it } from 'vitest';
import type { Alert, AppliedAction, ContainmentAction } from '../core/index.js';
import { containsSubject, incidentSubject, planRateLimit } from './containment-rules.js';

const applied = (id: string, action: ContainmentAction, lifted = false): AppliedAction => ({
  id,
  action,
  reason: 'test',
  actor: 'test',
  appliedAt: '2026-01-01T00:00:00.000Z',
  liftedAt: lifted ? '2026-01-01T00:01:00.000Z' : null,
  liftedBy: lifted ? 'ann' : null,
});

const alert = (over: Partial<Alert>): Alert => ({
  id: 'alr_1',
  time: '2026-01-01T00:00:00.000Z',
  detector: 'prada',
  kind: 'extraction',
  model: 'fraud',
  principal: 'mallory',
  sourceAddress: null,
  severity: 'high',
  confidence: 0.9,
  title: 'Extraction pattern',
  atlasTechniques: [],
  owasp: [],
  evidence: {},
  eventIds: [],
  ...over,
});

describe('containsSubject', () => {
  const subject = incidentSubject([
    alert({ evidence: { keyId: 'key_a' } }),
    alert({ principal: 'eve', evidence: {} }),
  ]);

  it('counts key actions on a key the alerts name (evidence.keyId, else the principal)', () => {
    expect(subject.keys).toEqual(new Set(['key_a', 'eve']));
    for (const kind of ['suspend_key', 'revoke_key'] as const)
      expect(containsSubject({ kind, keyId: 'key_a' }, subject)).toBe(true);
    const limit = { kind: 'rate_limit', ratePerSecond: 1, burst: 1 } as const;
    expect(containsSubject({ ...limit, keyId: 'eve' }, subject)).toBe(true);
    expect(containsSubject({ ...limit, keyId: 'key_bystander' }, subject)).toBe(false);
  });

  it("counts isolating, pinning and blocking inputs of the incident's model, not another's", () => {
    expect(containsSubject({ kind: 'isolate_model', model: 'fraud' }, subject)).toBe(true);
    expect(containsSubject({ kind: 'pin_version', model: 'fraud', version: '1' }, subject)).toBe(
      true,
    );
    const rule = { type: 'row_digest' as const, digests: ['ab'] };
    expect(containsSubject({ kind: 'block_input', model: 'fraud', rule }, subject)).toBe(true);
    expect(containsSubject({ kind: 'isolate_model', model: 'scoring' }, subject)).toBe(false);
  });

  it('never counts harden_output: the attacker keeps querying', () => {
    for (const mode of ['round', 'top1'] as const)
      expect(
        containsSubject({ kind: 'harden_output', model: 'fraud', mode, decimals: 2 }, subject),
      ).toBe(false);
  });

  it('never counts inline detection on the key: only tripping queries are withheld', () => {
    expect(
      containsSubject({ kind: 'detect_inline', model: 'fraud', keyId: 'key_a' }, subject),
    ).toBe(false);
  });
});

describe('planRateLimit', () => {
  const gentle = { kind: 'rate_limit', keyId: 'k', ratePerSecond: 1, burst: 10 } as const;

  it('applies a limit on a key nothing holds, and any other action as given', () => {
    expect(planRateLimit(gentle, [])).toEqual({ kind: 'apply', action: gentle });
    const isolate = { kind: 'isolate_model', model: 'fraud' } as const;
    expect(planRateLimit(isolate, [applied('a1', gentle)])).toEqual({
      kind: 'apply',
      action: isolate,
    });
  });

  it('keeps a stricter limit or a suspension instead of loosening it', () => {
    const strict = applied('a1', { ...gentle, ratePerSecond: 0.2, burst: 1 });
    expect(planRateLimit(gentle, [strict])).toMatchObject({ kind: 'keep', applied: { id: 'a1' } });
    const suspended = applied('a2', { kind: 'suspend_key', keyId: 'k' });
    expect(planRateLimit(gentle, [suspended])).toMatchObject({
      kind: 'keep',
      why: 'key is suspend_key',
    });
  });

  it('is not held back by inline detection on the same key', () => {
    const inline = applied('a1', { kind: 'detect_inline', model: 'fraud', keyId: 'k' });
    expect(planRateLimit(gentle, [inline])).toEqual({ kind: 'apply', action: gentle });
  });

  it('ignores lifted actions and other keys, and combines a limit stricter in one respect', () => {
    const lifted = applied('a1', { ...gentle, ratePerSecond: 0.1, burst: 1 }, true);
    const other = applied('a2', { ...gentle, keyId: 'other', ratePerSecond: 0.1 });
    expect(planRateLimit(gentle, [lifted, other])).toEqual({ kind: 'apply', action: gentle });
    const lowBurst = applied('a3', { ...gentle, ratePerSecond: 5, burst: 2 });
    expect(planRateLimit(gentle, [lowBurst])).toEqual({
      kind: 'apply',
      action: { ...gentle, ratePerSecond: 1, burst: 2 },
    });
  });
});

describe('rate limits on a model or an endpoint', () => {
  const model = (rate: number, burst: number, endpoint?: string): ContainmentAction => ({
    kind: 'rate_limit',
    model: 'fraud',
    ...(endpoint ? { endpoint } : {}),
    ratePerSecond: rate,
    burst,
  });

  it('contain an incident about the model, not one about another model', () => {
    const subject = incidentSubject([alert({ evidence: { keyId: 'key_a' } })]);
    expect(containsSubject(model(1, 1), subject)).toBe(true);
    expect(containsSubject({ ...model(1, 1), model: 'other' } as ContainmentAction, subject)).toBe(
      false,
    );
  });

  it('never loosen a stricter limit on the same target; other targets are independent', () => {
    const strict = applied('a1', model(1, 5));
    expect(planRateLimit(model(10, 50), [strict])).toMatchObject({ kind: 'keep', applied: strict });
    expect(planRateLimit(model(10, 2), [strict])).toEqual({
      kind: 'apply',
      action: { ...model(1, 2) },
    });
    // An endpoint of the model and a key are other targets.
    const endpoint = model(10, 50, '/v2/models/fraud/infer');
    expect(planRateLimit(endpoint, [strict])).toEqual({ kind: 'apply', action: endpoint });
    const suspended = applied('a2', { kind: 'suspend_key', keyId: 'key_a' });
    expect(planRateLimit(model(10, 50), [suspended])).toMatchObject({ kind: 'apply' });
  });
});
