import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../core/index.js';
import { normalCdf, normalQuantile } from './normal.js';
import { shapiroWilk } from './shapiro-wilk.js';

interface ReferenceCase {
  name: string;
  values: number[];
  w: number;
  p: number;
}
const reference = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/extraction/shapiro-reference.json', import.meta.url),
    'utf8',
  ),
) as { scipy: string; cases: ReferenceCase[] };

describe('shapiroWilk', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))(
    'agrees with scipy.stats.shapiro to 1e-6 on %s',
    (_name, c) => {
      const result = shapiroWilk(c.values);
      expect(Math.abs(result.w - c.w)).toBeLessThan(1e-6);
      expect(Math.abs(result.p - c.p)).toBeLessThan(1e-6);
    },
  );

  it('rejects fewer than three values with a stable code', () => {
    try {
      shapiroWilk([1, 2]);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('EXTRACTION_SHAPIRO_SAMPLE_SIZE');
    }
  });

  it('rejects non-finite values with a stable code', () => {
    expect(() => shapiroWilk([1, 2, Number.NaN, 4])).toThrow(/non-finite/);
  });

  it('returns W = 1 for constant data', () => {
    expect(shapiroWilk([2, 2, 2, 2])).toMatchObject({ w: 1, p: 1 });
  });
});

describe('normal distribution helpers', () => {
  it('inverts the CDF to 1e-12 across the tails', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) - p)).toBeLessThan(1e-12 * Math.max(1, p * 10));
    }
  });
});
