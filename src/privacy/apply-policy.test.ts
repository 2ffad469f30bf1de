import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import type { InferenceEvent } from '../core/index.js';
import { compilePolicy } from './apply-policy.js';
import { generalise } from './generalise.js';
import { openEvent, markErased } from './open-record.js';
import { createHasher } from './seal.js';

const event = (over: Partial<InferenceEvent> = {}): InferenceEvent => ({
  id: 'evt_1',
  time: '2026-12-07T10:00:00.000Z',
  requestId: 'req_1',
  model: 'm',
  modelVersion: '1',
  artifactDigest: null,
  protocol: 'kserve-v2',
  principal: 'clinic',
  keyId: 'key_1',
  sourceAddress: '127.0.0.1',
  features: [
    [47, 120.5, 3],
    [33, 99.25, 1],
  ],
  outputs: [
    [0.2, 0.8],
    [0.9, 0.1],
  ],
  status: 200,
  outcome: 'ok',
  errorCode: null,
  policyAction: null,
  latencyMs: 1,
  subject: 'patient-1',
  ...over,
});

function policy(privacy: Record<string, unknown>) {
  const model = parseConfig({
    models: [{ id: 'm', versions: [{ version: '1', upstream: 'http://x' }], privacy }],
  }).models[0]!;
  const key = randomBytes(32);
  const hasher = createHasher(randomBytes(32));
  const apply = compilePolicy(
    { id: 'm', privacy: model.privacy! },
    { hasher, cachedKey: () => key, ensureKey: () => Promise.resolve(key) },
  );
  return { apply, key, hasher };
}

describe('field policies', () => {
  it('generalises numbers, dates and ZIP codes', () => {
    const g = (over: object) => ({ policy: 'generalise', personal: false, ...over }) as never;
    expect(generalise(g({ step: 10 }), 47)).toBe(40);
    expect(generalise(g({ step: 0.1 }), 0.37)).toBe(0.3);
    expect(generalise(g({ digits: 1 }), 99.25)).toBe(99.3);
    expect(generalise(g({ date: 'month' }), '1979-04-17')).toBe('1979-04');
    expect(generalise(g({ zipDigits: 3 }), '02139')).toBe('021**');
    expect(generalise(g({ date: 'year' }), 'not a date')).toBeNull();
  });

  it('keeps numeric features when every column is kept or generalised', () => {
    const { apply } = policy({ features: [{ feature: 0, policy: 'generalise', step: 10 }] });
    const out = apply(event()) as InferenceEvent;
    expect(out.features).toEqual([
      [40, 120.5, 3],
      [30, 99.25, 1],
    ]);
    expect(out.subject).toMatch(/^ps_/);
    expect(out.privacy?.sealed).toBeUndefined();
  });

  it('hashes, drops (keeping a digest) and seals per column, and opens with the key', () => {
    const { apply, key, hasher } = policy({
      featureNames: ['age', 'weight', 'code'],
      features: [
        { feature: 'age', policy: 'drop' },
        { feature: 'code', policy: 'hash' },
      ],
      defaultFeature: { policy: 'encrypt' },
      outputs: { policy: 'encrypt' },
    });
    const out = apply(event()) as InferenceEvent;
    expect(out.features).toBeNull();
    expect(out.outputs).toBeNull();
    expect(out.privacy!.features).toEqual([
      ['dropped', 'sealed', hasher.field(3)],
      ['dropped', 'sealed', hasher.field(1)],
    ]);
    expect(out.privacy!.dropped).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(out)).not.toContain('120.5');
    const opened = openEvent(out, key);
    expect(opened.privacy!.features![0]![1]).toBe(120.5);
    expect(opened.privacy!.outputs).toEqual([
      [0.2, 0.8],
      [0.9, 0.1],
    ]);
    expect(() => openEvent(out, randomBytes(32))).toThrow();
    expect(markErased(out).privacy!.features![1]![1]).toBe('erased');
  });

  it('binds a sealed value to its event: moved to another event id it does not open', () => {
    const { apply, key } = policy({ defaultFeature: { policy: 'encrypt' } });
    const out = apply(event()) as InferenceEvent;
    expect(() => openEvent({ ...out, id: 'evt_2' }, key)).toThrow();
  });

  it('refuses keep on personal fields of a restricted model unless acknowledged', () => {
    const cfg = (privacy: object) =>
      parseConfig({
        models: [
          {
            id: 'm',
            dataSensitivity: 'restricted',
            versions: [{ version: '1', upstream: 'http://x' }],
            privacy,
          },
        ],
      });
    expect(() => cfg({ features: [{ feature: 0, policy: 'keep', personal: true }] })).toThrow(
      /acknowledgeKeep/,
    );
    expect(() =>
      cfg({
        features: [{ feature: 0, policy: 'keep', personal: true }],
        acknowledgeKeep: 'clinicians need the raw age for triage review',
      }),
    ).not.toThrow();
    expect(() => cfg({ features: [{ feature: 'age', policy: 'hash' }] })).toThrow(/featureNames/);
  });
});

describe('docs/privacy.md', () => {
  it('has a worked healthcare config that aisoc accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const text = readFileSync(new URL('../../docs/privacy.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)![1]!;
    const config = parseConfig(parse(yaml));
    expect(config.models[0]!.privacy!.defaultFeature.policy).toBe('encrypt');
  });
});
