import { describe, expect, it } from 'vitest';
import {
  deploymentNames,
  inferenceSubject,
  modelFromInferenceSubject,
  modelFromToken,
  modelToken,
} from './index.js';

describe('model tokens', () => {
  it('keeps plain ids readable and escapes everything else', () => {
    expect(modelToken('breast-cancer_v2')).toBe('breast-cancer_v2');
    expect(modelToken('a.b*c>d e%~')).toBe('a%2Eb%2Ac%3Ed%20e%25%7E');
    expect(inferenceSubject('digits')).toBe('gateway.inference.completed.digits');
  });

  it('round-trips any id, including unicode and look-alikes', () => {
    for (const id of ['x', 'a.b', 'a%2Eb', 'модель/1', '🙂', 'a b\tc', '%', '~.~'])
      expect(modelFromToken(modelToken(id))).toBe(id);
    expect(new Set(['a.b', 'a%2Eb', 'a_b'].map(modelToken)).size).toBe(3);
  });

  it('returns undefined for tokens it would never produce', () => {
    for (const token of ['a.b', '%2e', '%ZZ', '', 'a b', '%C3'])
      expect(modelFromToken(token)).toBeUndefined();
    expect(modelFromInferenceSubject('detect.alert.raised')).toBeUndefined();
    expect(modelFromInferenceSubject(inferenceSubject('org/m'))).toBe('org/m');
  });

  it('rejects an empty model id with BUS_SUBJECT_INVALID', () => {
    expect(() => modelToken('')).toThrow(expect.objectContaining({ code: 'BUS_SUBJECT_INVALID' }));
  });
});

describe('deployment names', () => {
  it('derives the stream and policy bucket from the subject prefix, aisoc keeping the old names', () => {
    expect(deploymentNames('aisoc')).toEqual({ stream: 'AISOC', policyBucket: 'aisoc_policy' });
    expect(deploymentNames('prod-eu')).toEqual({
      stream: 'PROD_EU',
      policyBucket: 'prod-eu_policy',
    });
    expect(() => deploymentNames('a.b')).toThrowError(/subjectPrefix/);
  });
});
