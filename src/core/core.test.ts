import { describe, expect, it } from 'vitest';
import {
  AppError,
  buildPolicySnapshot,
  canonicalJson,
  createId,
  type AppliedAction,
} from './index.js';

describe('canonicalJson', () => {
  it('sorts keys and drops white space so equal values give equal bytes', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1.5, y: -0 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":0,"z":1.5}}',
    );
  });

  it('writes numbers in ECMAScript shortest form as RFC 8785 requires', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1 + 0.2, 100])).toBe(
      '[1e+21,1e-7,0.30000000000000004,100]',
    );
  });

  it('rejects NaN and infinities with the path of the bad value', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrowError(/\$\.a\[1\]/);
    expect(() => canonicalJson({ a: Infinity })).toThrowError(AppError);
  });

  it('rejects cycles instead of recursing forever', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrowError(/cycle/);
  });
});

describe('createId', () => {
  it('sorts by creation time across milliseconds', () => {
    const first = createId('evt', 1_700_000_000_000);
    const second = createId('evt', 1_700_000_000_001);
    expect(first < second).toBe(true);
    expect(first).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});

describe('buildPolicySnapshot', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const applied = (id: string, action: AppliedAction['action'], lifted = false): AppliedAction => ({
    id,
    action,
    reason: 'test',
    actor: 'tester',
    appliedAt: at,
    liftedAt: lifted ? at : null,
    liftedBy: lifted ? 'tester' : null,
  });

  it('keeps a revoked key revoked when a later suspension arrives', () => {
    const snap = buildPolicySnapshot(1, [
      applied('a1', { kind: 'revoke_key', keyId: 'k1' }),
      applied('a2', { kind: 'suspend_key', keyId: 'k1' }),
    ]);
    expect(snap.keys.get('k1')).toEqual({ state: 'revoked', actionId: 'a1' });
  });

  it('ignores lifted actions', () => {
    const snap = buildPolicySnapshot(2, [
      applied('a1', { kind: 'pin_version', model: 'm', version: '1' }, true),
    ]);
    expect(snap.pinned.size).toBe(0);
  });
});
