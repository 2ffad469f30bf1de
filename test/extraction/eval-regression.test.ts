import { describe, expect, it } from 'vitest';
import { evaluateModel, type ModelResult } from '../../scripts/eval/evaluate.js';

// A small, fast cut of `scripts/eval-detect.ts` on the breast-cancer demo model (the real
// ONNX file through src/serve): calibration on reference, benign traffic and every attack
// on holdout. The full run and its table are in docs/detectors-extraction.md.
describe('extraction/evasion evaluation (small)', () => {
  let result: ModelResult;

  it('runs end to end on the demo model', async () => {
    result = await evaluateModel({
      root: '.',
      model: 'breast-cancer',
      seed: 7,
      benignPrincipals: 40,
      benignQueries: 300,
      calibrationPrincipals: 30,
      extractionRuns: 1,
      evasionRuns: 2,
      extractionBudget: 120,
      evasionBudget: 100,
      adaptive: false,
    });
    expect(result.attacks.length).toBe(8);
  }, 60_000);

  it('flags at most one of the benign principals', () => {
    expect(result.benign.flagged).toBeLessThanOrEqual(1);
  });

  it('detects every evasion attack before its 20th query', () => {
    for (const a of result.attacks.filter((r) => r.attack.startsWith('evasion'))) {
      expect({ attack: a.attack, detected: a.detected }).toEqual({
        attack: a.attack,
        detected: a.runs,
      });
      expect(a.medianFirstAlarm!).toBeLessThan(20);
    }
  });

  it('detects random, synthetic, Jacobian and Knockoff extraction before their 100th query', () => {
    for (const name of [
      'extraction.random',
      'extraction.synthetic',
      'extraction.jacobian',
      'extraction.knockoff',
    ]) {
      const a = result.attacks.find((r) => r.attack === name)!;
      expect({ name, detected: a.detected }).toEqual({ name, detected: a.runs });
      expect(a.medianFirstAlarm!).toBeLessThan(100);
    }
  });
});
