import { describe, expect, it } from 'vitest';
import { evaluateModel, type ModelResult } from '../../scripts/eval/evaluate.js';

// A small, fast cut of `scripts/eval-detect.ts` on the breast-cancer demo model (the real
// ONNX file through src/serve): the calibrated options, a mixed benign population (distinct-
// row batch and streaming scorers, re-senders, nightly bulk clients, shared /24s, drift) and
// the attacks and bypasses on holdout. The full run and its table are in
// docs/detectors-extraction.md.
const BYPASSES: Record<string, readonly string[]> = {
  'noise 2%': ['evasion.hsj'],
  'cover 1:1 benign': ['extraction.jacobian', 'evasion.nes'],
  'spread 12 keys, one /24': ['extraction.jacobian'],
  '64 rows per request': ['extraction.jacobian', 'extraction.random'],
  'trial key (100 rows/day declared)': ['extraction.knockoff'],
};

describe('extraction/evasion evaluation (small)', () => {
  let result: ModelResult;
  const row = (attack: string, variant = 'plain') =>
    result.attacks.find((a) => a.attack === attack && a.variant === variant)!;

  it('runs end to end on the demo model', async () => {
    result = await evaluateModel({
      root: '.',
      model: 'breast-cancer',
      seed: 7,
      benignPrincipals: 40,
      benignQueries: 300,
      benignDays: 2,
      calibrationPrincipals: 30,
      extractionRuns: 1,
      evasionRuns: 2,
      adaptiveRuns: 1,
      extractionBudget: 300,
      evasionBudget: 100,
      adaptive: true,
      only: (variant, attack) => BYPASSES[variant]?.includes(attack) ?? false,
      // The values calibrated on reference in the seed-11 run (docs): calibrating again here
      // would triple the test's time.
      fixedOptions: {
        similarity: { threshold: 0.6, noveltyShare: 0.99, denseRadius: 2 },
        prada: { delta: 0.2, minSamples: 50 },
        cross: { width: 0.2 },
        signals: { outlierHits: 32 },
        step: { share: 0.15 },
      },
    });
    expect(result.attacks.length).toBe(8 + 7);
  }, 120_000); // about 20 s on a quiet machine; 60 s at load 30

  it('gives no benign principal a medium-or-higher finding, distinct-row scorers included', () => {
    expect(result.benign.byKind.batch!.principals).toBeGreaterThan(5);
    expect(result.benign.byKind.bulk!.principals).toBeGreaterThan(0);
    expect(result.benign.bySeverity).toEqual({});
    expect(result.benign.networksFlagged).toBe(0);
  });

  it('detects every evasion attack before its 20th query', () => {
    for (const a of result.attacks.filter((r) => r.attack.startsWith('evasion'))) {
      if (a.variant !== 'plain') continue;
      expect({ attack: a.attack, detected: a.detected }).toEqual({
        attack: a.attack,
        detected: a.runs,
      });
      expect(a.medianFirstAlarm!).toBeLessThan(20);
    }
  });

  it('detects random and Jacobian extraction before their 100th query', () => {
    for (const name of ['extraction.random', 'extraction.jacobian']) {
      const a = row(name);
      expect({ name, detected: a.detected }).toEqual({ name, detected: a.runs });
      expect(a.medianFirstAlarm!).toBeLessThan(100);
    }
  });

  it('detects each bypass: noise, benign cover, keys on one /24, many rows per request, a trial key', () => {
    for (const [variant, attacks] of Object.entries(BYPASSES)) {
      for (const attack of attacks) {
        const a = row(attack, variant);
        expect({ variant, attack, detected: a.detected }).toEqual({
          variant,
          attack,
          detected: a.runs,
        });
      }
    }
    // Knockoff from natural rows is caught only by its volume beyond the declared 100 a day.
    expect(row('extraction.knockoff', 'trial key (100 rows/day declared)').detectors).toEqual([
      'extraction.profile',
    ]);
  });
});
