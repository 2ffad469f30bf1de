import { describe, expect, it } from 'vitest';
import {
  buildPolicySnapshot,
  ContainmentActionSchema,
  inputRuleMatches,
  type AppliedAction,
} from './index.js';

const applied = (id: string, action: unknown): AppliedAction => ({
  id,
  action: ContainmentActionSchema.parse(action),
  reason: 'test',
  actor: 'test',
  appliedAt: '2026-01-01T00:00:00.000Z',
  liftedAt: null,
  liftedBy: null,
});

describe('output hardening and input rules', () => {
  it('puts the latest hardening per model and every input rule into the snapshot', () => {
    const snapshot = buildPolicySnapshot(1, [
      applied('a1', { kind: 'harden_output', model: 'fraud', mode: 'round' }),
      applied('a2', { kind: 'harden_output', model: 'fraud', mode: 'top1' }),
      applied('a3', {
        kind: 'block_input',
        model: 'fraud',
        rule: { type: 'range', feature: 0, max: 0 },
      }),
      applied('a4', {
        kind: 'block_input',
        model: 'fraud',
        rule: { type: 'row_digest', digests: ['a'.repeat(64)] },
      }),
    ]);
    expect(snapshot.hardened.get('fraud')).toEqual({
      mode: 'top1',
      decimals: 2,
      k: 1,
      actionId: 'a2',
    });
    expect(snapshot.inputRules.get('fraud')!.map((r) => r.actionId)).toEqual(['a3', 'a4']);
  });

  it('matches rows inside or outside a range, and by digest', () => {
    const inside = { type: 'range', feature: 1, min: 0, max: 1, match: 'inside' } as const;
    const outside = { ...inside, match: 'outside' } as const;
    expect(inputRuleMatches(inside, [9, 0.5], () => '')).toBe(true);
    expect(inputRuleMatches(outside, [9, 0.5], () => '')).toBe(false);
    expect(inputRuleMatches(outside, [9, 7], () => '')).toBe(true);
    expect(inputRuleMatches(inside, [9], () => '')).toBe(false);
    expect(
      inputRuleMatches({ type: 'row_digest', digests: ['b'.repeat(64)] }, [1], () =>
        'b'.repeat(64),
      ),
    ).toBe(true);
  });

  it('refuses a malformed rule', () => {
    expect(
      ContainmentActionSchema.safeParse({
        kind: 'block_input',
        model: 'm',
        rule: { type: 'row_digest', digests: ['xyz'] },
      }).success,
    ).toBe(false);
    expect(
      ContainmentActionSchema.safeParse({
        kind: 'harden_output',
        model: 'm',
        mode: 'round',
        decimals: 12,
      }).success,
    ).toBe(false);
  });
});

describe('inline detection', () => {
  it('marks a model for every key or for single keys, and a lifted action no more', () => {
    const snapshot = buildPolicySnapshot(1, [
      applied('d1', { kind: 'detect_inline', model: 'fraud', keyId: 'k1' }),
      applied('d2', { kind: 'detect_inline', model: 'fraud', keyId: 'k2' }),
      { ...applied('d3', { kind: 'detect_inline', model: 'fraud', keyId: 'k3' }), liftedAt: 'x' },
      applied('d4', { kind: 'detect_inline', model: 'digits' }),
    ]);
    const fraud = snapshot.detectInline.get('fraud')!;
    expect(fraud.all).toBeNull();
    expect([...fraud.keys]).toEqual([
      ['k1', 'd1'],
      ['k2', 'd2'],
    ]);
    expect(snapshot.detectInline.get('digits')).toEqual({ all: 'd4', keys: new Map() });
    expect(ContainmentActionSchema.safeParse({ kind: 'detect_inline', keyId: 'k1' }).success).toBe(
      false,
    );
  });
});
