import { describe, expect, it } from 'vitest';
import { createDecoyWatermark, isAppError, keyedNormals } from './index.js';

const reference = Array.from({ length: 200 }, (_, i) => {
  const [a, b, c] = keyedNormals('reference', String(i), 3);
  return [a!, a! + 0.1 * b!, 10 * c!, 5];
});
const make = (secret = 's'.repeat(32), share = 0.25) =>
  createDecoyWatermark({ secret, model: 'fraud-v0', reference, classCount: 3, share });

describe('decoy watermark', () => {
  it('chooses about `share` of inputs as triggers, the same ones every time', () => {
    const w = make();
    const rows = Array.from({ length: 4000 }, (_, i) => [i, i / 3, -i, 1]);
    const triggers = rows.filter((r) => w.isTrigger(r)).length;
    expect(triggers / rows.length).toBeGreaterThan(0.22);
    expect(triggers / rows.length).toBeLessThan(0.28);
    expect(rows.map((r) => make().isTrigger(r))).toEqual(rows.map((r) => w.isTrigger(r)));
  });

  it('answers triggers with the keyed teacher and leaves every other row as the model said', () => {
    const w = make();
    const rows = reference.slice(0, 100);
    const honest = rows.map(() => [0.7, 0.2, 0.1]);
    const { probabilities, marked } = w.mark(rows, honest);
    expect(marked.length).toBeGreaterThan(5);
    probabilities.forEach((p, i) => {
      if (marked.includes(i)) expect(p).toEqual(w.keyedScores(rows[i]!));
      else expect(p).toEqual(honest[i]);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    });
  });

  it('draws a different key and different triggers from a different secret', () => {
    const a = make('a'.repeat(32));
    const b = make('b'.repeat(32));
    expect(a.key).not.toEqual(b.key);
    const rows = reference.slice(0, 200);
    expect(rows.map((r) => a.isTrigger(r))).not.toEqual(rows.map((r) => b.isTrigger(r)));
  });

  it('refuses a short secret, a share outside (0, 1] and a reference too small, by code', () => {
    const cases = [
      () => make('short'),
      () => make(undefined, 0),
      () => make(undefined, 1.5),
      () =>
        createDecoyWatermark({
          secret: 's'.repeat(32),
          model: 'm',
          reference: [[1]],
          classCount: 2,
        }),
    ];
    for (const build of cases) {
      try {
        build();
        expect.unreachable();
      } catch (e) {
        expect(isAppError(e) && e.code).toBe('DECOY_WATERMARK_INVALID');
      }
    }
  });
});
