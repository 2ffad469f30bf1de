import { describe, expect, it } from 'vitest';
import { createPradaState, observePrada, pradaStatistic } from './prada-state.js';
import { createRandom, gaussian } from './projector.js';

const random = createRandom(3);
const point = (scale: number, base?: Float32Array) =>
  Float32Array.from({ length: 8 }, (_, j) => (base ? base[j]! : 0) + scale * gaussian(random));

describe('PRADA state', () => {
  it('keeps the distance set sorted and bounded', () => {
    const s = createPradaState(2, 8, 16, 40);
    for (let i = 0; i < 200; i += 1) observePrada(s, i % 2, point(1));
    expect(s.count).toBe(40);
    const sorted = Array.from(s.sorted.subarray(0, s.count));
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
    expect(s.growCount[0]).toBeLessThanOrEqual(16);
  });

  it('skips exact repeats and the first query of a class', () => {
    const s = createPradaState(1, 8, 16, 40);
    const x = point(1);
    expect(observePrada(s, 0, x)).toBeNull();
    expect(observePrada(s, 0, x)).toBeNull();
    expect(s.count).toBe(0);
  });

  it('gives a lower W to synthetic perturbations of a few seeds than to natural queries', () => {
    const natural = createPradaState(1, 8, 64, 128);
    for (let i = 0; i < 150; i += 1) observePrada(natural, 0, point(1));
    const synthetic = createPradaState(1, 8, 64, 128);
    const seeds = Array.from({ length: 5 }, () => point(1));
    for (let i = 0; i < 150; i += 1) observePrada(synthetic, 0, point(0.02, seeds[i % 5]));
    const wNatural = pradaStatistic(natural, 50)!.w;
    const wSynthetic = pradaStatistic(synthetic, 50)!.w;
    expect(wNatural).toBeGreaterThan(0.9);
    expect(wSynthetic).toBeLessThan(wNatural);
  });
});
