import { describe, expect, it } from 'vitest';
import { makeEvent } from '../drift/test-events.js';
import { createDecoyDetector, subjectOf } from './index.js';

const at = (i: number, minutes: number, over: Partial<ReturnType<typeof makeEvent>> = {}) => ({
  ...makeEvent(i, Date.UTC(2026, 11, 1) + minutes * 60_000, [[1]], [[0.5, 0.5]], 'shadow-fraud'),
  ...over,
});

describe('decoy detector', () => {
  it('alerts on the first query of a key, with high confidence, and once an hour after', () => {
    const d = createDecoyDetector({ decoys: ['shadow-fraud'] });
    const s = d.init();
    const first = d.observe(s, at(1, 0));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'decoy',
      severity: 'high',
      confidence: 0.95,
      evidence: { keyId: 'key-1', subject: 'key:key-1', requestsSinceLastAlert: 1 },
      atlasTechniques: ['AML.T0040', 'AML.T0024.002'],
    });
    expect(d.observe(s, at(2, 30))).toEqual([]);
    const again = d.observe(s, at(3, 61));
    expect(again[0]?.evidence).toMatchObject({ requestsSinceLastAlert: 2 });
  });

  it('ignores other models and names unauthenticated callers by network', () => {
    const d = createDecoyDetector({ decoys: ['shadow-fraud'] });
    const s = d.init();
    expect(d.observe(s, { ...at(1, 0), model: 'fraud' })).toEqual([]);
    const probe = at(2, 0, {
      keyId: null,
      principal: null,
      sourceAddress: '::ffff:203.0.113.77',
      status: 401,
    });
    const [f] = d.observe(s, probe);
    expect(f?.evidence).toEqual({
      subject: 'net:203.0.113.0/24',
      decoy: 'shadow-fraud',
      status: 401,
      requestsSinceLastAlert: 1,
    });
    expect(subjectOf({ ...probe, sourceAddress: '2001:db8:1:2::9' })).toBe('net:2001:db8:1::/48');
  });

  it('keeps a bounded number of subjects and survives a checkpoint', () => {
    const d = createDecoyDetector({ decoys: ['shadow-fraud'], maxSubjects: 3 });
    const s = d.init();
    for (let i = 0; i < 10; i++) d.observe(s, at(i, 0, { keyId: `k${i}` }));
    expect(Object.keys(s.subjects)).toEqual(['key:k7', 'key:k8', 'key:k9']);
    const restored = d.deserialize(JSON.parse(JSON.stringify(d.serialize(s))));
    expect(d.observe(restored, at(11, 1, { keyId: 'k9' }))).toEqual([]);
    expect(() => d.deserialize(null)).toThrow(/not a decoy state/);
  });
});
