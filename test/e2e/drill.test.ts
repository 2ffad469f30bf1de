import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { formatScorecard, loadDrillData, runDrill, type Scorecard } from '../../src/drill/index.js';
import { startTestAisoc } from '../support/aisoc.js';

// The detection regression suite: known attacks run from the outside, over HTTP with their
// own keys, against a throw-away aisoc. A change that lets one through undetected or
// uncontained fails here. Each scenario runs on its own model so incidents stay apart.
const DRILLS = [
  { scenario: 'extraction', model: 'breast-cancer', budget: 200, inputs: 1 },
  { scenario: 'evasion', model: 'digits', budget: 60, inputs: 3 },
] as const;

describe('drills against a throw-away embedded aisoc', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const cards = new Map<string, Scorecard>();

  beforeAll(async () => {
    t = await startTestAisoc();
    const token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    for (const { scenario, model, budget, inputs } of DRILLS) {
      const card = await runDrill(scenario, {
        gatewayUrl: t.aisoc.gatewayUrl,
        adminUrl: t.aisoc.adminUrl,
        adminToken: token,
        model,
        data: loadDrillData(join(packageRoot(), 'data'), model),
        budget,
        inputs,
        benignPrincipals: 3,
        settleMs: 3000,
      });
      cards.set(scenario, card);
    }
    process.stdout.write(formatScorecard([...cards.values()]));
  }, 60_000);
  afterAll(async () => t?.aisoc.close());

  it('contains a second extraction attacker whose alerts join the incident still open', async () => {
    const token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    const again = await runDrill('extraction', {
      gatewayUrl: t.aisoc.gatewayUrl,
      adminUrl: t.aisoc.adminUrl,
      adminToken: token,
      model: 'breast-cancer',
      data: loadDrillData(join(packageRoot(), 'data'), 'breast-cancer'),
      budget: 200,
      inputs: 1,
      benignPrincipals: 1,
      settleMs: 3000,
      seed: 99,
    });
    expect(again.detected).toBe(true);
    expect(again.contained).toBe(true);
  }, 60_000);

  for (const { scenario, budget, inputs } of DRILLS) {
    it(`detects the ${scenario} attacker within its budget and names it in an incident`, () => {
      const card = cards.get(scenario)!;
      expect(card.detected).toBe(true);
      expect(card.queriesToDetect).toBeGreaterThan(0);
      expect(card.queriesToDetect).toBeLessThanOrEqual(budget * inputs);
      expect(card.incidents.length).toBeGreaterThan(0);
      expect(card.playbooks.length).toBeGreaterThan(0);
    });

    it(`raises no alert on the benign principals during the ${scenario} drill`, () => {
      const card = cards.get(scenario)!;
      expect(card.benignQueries).toBeGreaterThan(0);
      // Per-network detectors (`extraction.network.*`) add up every key of a /24 and name the
      // principal whose query tipped the window: here every principal is 127.0.0.1, so one can
      // land on a benign key now and then. Per-principal detectors must stay silent.
      expect(card.falseAlarmDetectors.filter((d) => !d.includes('.network.'))).toEqual([]);
      expect(card.benignBlocked).toBe(0);
    });

    // Extraction/evasion alerts carry the caller's key (evidence.keyId), so the shipped
    // playbooks' rate_limit step throttles that key at the gateway.
    it(`contains the ${scenario} attacker at the gateway (403/429) before its budget is spent`, () => {
      const card = cards.get(scenario)!;
      expect(card.contained).toBe(true);
      expect(card.secondsToContain).toBeLessThan(5);
      expect(card.passed).toBe(true);
    });
  }
});
