import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from '../../src/app/index.js';
import {
  EMBEDDED_RUNS,
  startDrillFixture,
  type DrillFixture,
} from '../../src/cli/commands/drill-fixture.js';
import { formatScorecard, loadDrillData, runDrill, type Scorecard } from '../../src/drill/index.js';
import { startTestAisoc } from '../support/aisoc.js';

// The detection regression suite: known attacks run from the outside, over HTTP with their
// own keys, against a throw-away aisoc. A change that lets one through undetected or
// uncontained fails here. Each scenario runs on its own model so incidents stay apart.
const DRILLS: readonly {
  name: string;
  scenario: string;
  attack?: string;
  model: string;
  budget: number;
  inputs: number;
}[] = [
  { name: 'extraction', scenario: 'extraction', model: 'breast-cancer', budget: 200, inputs: 1 },
  { name: 'evasion', scenario: 'evasion', model: 'digits', budget: 60, inputs: 3 },
  // Jacobian-based augmentation (Papernot et al.) steps off the data along the model's
  // gradients: the step signal must name it as extraction so the key is throttled.
  {
    name: 'extraction.jacobian',
    scenario: 'extraction',
    attack: 'jacobian',
    model: 'digits',
    budget: 200,
    inputs: 1,
  },
];

// Attacks on the pipeline rather than the inference API: a poisoned batch offered for audit,
// a malicious model file submitted for approval, a swapped remote model, a tampered artifact.
// The poisoned-version drill (and its forensics) has its own file: drill-poisoned-version.test.ts.
const PIPELINE = EMBEDDED_RUNS.filter(
  (r) => !['extraction', 'evasion'].includes(r.scenario) && r.attack !== 'poisoned-version',
);

describe('drills against a throw-away embedded aisoc', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let fixture: DrillFixture;
  let fixtureDir: string;
  const cards = new Map<string, Scorecard>();

  beforeAll(async () => {
    fixtureDir = mkdtempSync(join(tmpdir(), 'aisoc-drill-fixture-'));
    fixture = await startDrillFixture(fixtureDir);
    t = await startTestAisoc({
      // Knockoff extraction from natural rows is, query by query, an honest batch scorer: it is
      // caught by volume beyond the key's entitlement, here a declared 25 rows a day for keys
      // of the demo models (docs/detectors-extraction.md).
      models: [
        ...demoModels().map((m) => ({
          ...m,
          detection: {
            mode: 'monitor' as const,
            extraction: { profile: { defaultExpectedRowsPerDay: 25 } },
          },
        })),
        ...fixture.models,
      ],
      registry: { integrityIntervalMs: 1000 },
    });
    const token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    for (const { name, scenario, attack, model, budget, inputs } of DRILLS) {
      const card = await runDrill(scenario, {
        gatewayUrl: t.aisoc.gatewayUrl,
        adminUrl: t.aisoc.adminUrl,
        adminToken: token,
        model,
        ...(attack ? { attack } : {}),
        data: loadDrillData(join(packageRoot(), 'data'), model),
        budget,
        inputs,
        benignPrincipals: 3,
        settleMs: 3000,
      });
      cards.set(name, card);
    }
    for (const r of PIPELINE) {
      const card = await runDrill(r.scenario, {
        gatewayUrl: t.aisoc.gatewayUrl,
        adminUrl: t.aisoc.adminUrl,
        adminToken: token,
        model: r.model,
        ...(r.attack ? { attack: r.attack } : {}),
        data: loadDrillData(join(packageRoot(), 'data'), r.data),
        benignPrincipals: 2,
        settleMs: 8000,
        control: fixture.control,
      });
      cards.set(card.attack, card);
    }
    process.stdout.write(formatScorecard([...cards.values()]));
  }, 150_000);
  afterAll(async () => {
    await t?.aisoc.close();
    await fixture?.close();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

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

  for (const { name: scenario, budget, inputs } of DRILLS) {
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
      // Per-network findings (`extraction.network.*`) name no principal, so none can blame a
      // benign key, although every key here shares 127.0.0.1.
      expect(card.falseAlarmDetectors).toEqual([]);
      expect(card.falseAlarms).toBe(0);
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

  it('quarantines most of a poisoned batch (label flips and a backdoor) and refuses it', () => {
    const card = cards.get('poisoning.flip-and-backdoor')!;
    expect(card.detected).toBe(true);
    expect(card.detectors).toEqual(['data.audit']);
    expect(card.atlas).toContain('AML.T0020');
    expect(card.achieved.recall).toBeGreaterThanOrEqual(0.8);
    expect(card.achieved.precision).toBeGreaterThanOrEqual(0.8);
    expect(card.achieved.batchAccepted).toBe(false);
    expect(card.contained).toBe(true);
    expect(card.playbooks).toContain('data-poisoning');
    expect(card.passed).toBe(true);
  });

  it('accepts a clean batch without an alert, and names the line and column of a bad cell', async () => {
    const train = readFileSync(join(packageRoot(), 'data', 'breast-cancer', 'train.csv'), 'utf8');
    const post = (body: string) =>
      fetch(`${t.aisoc.adminUrl}/api/v1/data/audit?model=breast-cancer`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${readFileSync(t.config.admin.tokenFile, 'utf8').trim()}`,
          'content-type': 'text/csv',
        },
        body,
      });
    const clean = await post(train);
    const answer = (await clean.json()) as { verdict: string; alertId: string | null };
    expect(clean.status).toBe(200);
    expect(answer).toMatchObject({ verdict: 'accepted', alertId: null });
    const lines = train.split('\n');
    lines[3] = lines[3]!.replace(/^[^,]+/, 'twelve');
    const bad = await post(lines.join('\n'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'INTAKE_BATCH_INVALID',
      message: expect.stringMatching(/line 4, column "mean_radius"/),
    });
  });

  it('refuses to approve a pickle that runs os.system, quarantines it and alerts', () => {
    const card = cards.get('malicious-file.pickle-os-system')!;
    expect(card.detected).toBe(true);
    expect(card.detectors).toEqual(['registry.admission']);
    expect(card.achieved).toMatchObject({
      approved: false,
      deployable: false,
      versionState: 'quarantined',
    });
    expect(card.containedWith).toBe(422);
    expect(card.playbooks).toContain('malicious-model-file');
    expect(card.passed).toBe(true);
  });

  for (const attack of ['swapped-upstream', 'tampered-artifact']) {
    it(`notices the ${attack} through the integrity monitor and isolates the model`, () => {
      const card = cards.get(`tampering.${attack}`)!;
      expect(card.detected).toBe(true);
      expect(card.detectors).toEqual([
        attack === 'swapped-upstream' ? 'registry.fingerprint' : 'registry.integrity',
      ]);
      expect(card.contained).toBe(true);
      expect(card.containedWith).toBe(503);
      expect(card.playbooks).toContain('model-tampering');
      expect(card.passed).toBe(true);
    });
  }

  it('catches the key that probes for the decoy on its first query and slows it', () => {
    const card = cards.get('decoy.probe')!;
    expect(card.detected).toBe(true);
    expect(card.queriesToDetect).toBe(1);
    expect(card.contained).toBe(true);
    expect(card.playbooks).toContain('decoy-access');
    expect(card.achieved.decoyAnswers).toBeLessThan(card.achieved.queries);
  });

  it('refuses the tampering drill on an aisoc whose upstream or file it does not control', async () => {
    await expect(
      runDrill('tampering', {
        gatewayUrl: t.aisoc.gatewayUrl,
        adminUrl: t.aisoc.adminUrl,
        adminToken: readFileSync(t.config.admin.tokenFile, 'utf8').trim(),
        model: 'breast-cancer',
        attack: 'tampered-artifact',
        data: loadDrillData(join(packageRoot(), 'data'), 'breast-cancer'),
        benignPrincipals: 1,
        warmupMs: 0,
      }),
    ).rejects.toMatchObject({ code: 'DRILL_CONTROL_MISSING' });
  });
});
