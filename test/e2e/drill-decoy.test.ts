import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from '../../src/app/index.js';
import { formatScorecard, loadDrillData, runDrill, type Scorecard } from '../../src/drill/index.js';
import { startTestAisoc } from '../support/aisoc.js';

// The decoy drill run for real: a key valid for every model probes names next to
// breast-cancer, finds the decoy breast-cancer-v0 (the scenario's default name) and keeps
// querying it; the decoy detector and the shipped decoy-access playbook must catch and slow it.
describe('the decoy drill against a throw-away aisoc', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let card: Scorecard;
  beforeAll(async () => {
    t = await startTestAisoc({
      models: [
        ...demoModels(),
        {
          id: 'breast-cancer-v0',
          decoy: true,
          protocol: 'kserve-v2',
          featureCount: 30,
          versions: [
            { version: '1', onnx: join(packageRoot(), 'models', 'breast-cancer', 'model.onnx') },
          ],
        },
      ],
    });
    card = await runDrill('decoy', {
      gatewayUrl: t.aisoc.gatewayUrl,
      adminUrl: t.aisoc.adminUrl,
      adminToken: readFileSync(t.config.admin.tokenFile, 'utf8').trim(),
      model: 'breast-cancer',
      data: loadDrillData(join(packageRoot(), 'data'), 'breast-cancer'),
      benignPrincipals: 2,
      settleMs: 8000,
    });
    process.stdout.write(formatScorecard([card]));
  }, 120_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  it('alerts on the first query to the decoy and names the attacker in an incident', () => {
    expect(card).toMatchObject({ scenario: 'decoy', kind: 'pipeline', attack: 'decoy.probe' });
    expect(card.detected).toBe(true);
    expect(card.detectors).toEqual(['decoy']);
    expect(card.queriesToDetect).toBe(1);
    expect(card.secondsToDetect).not.toBeNull();
    expect(card.incidents.length).toBeGreaterThan(0);
    expect(card.playbooks).toContain('decoy-access');
  });

  it('records containment in force and the rows the decoy answered before it', () => {
    expect(card.contained).toBe(true);
    expect([403, 429]).toContain(card.containedWith);
    expect(card.secondsToContain).toBeGreaterThanOrEqual(card.secondsToDetect!);
    expect(card.achieved.decoyAnswers).toBeGreaterThanOrEqual(1);
    expect(card.achieved.decoyAnswers).toBeLessThan(card.achieved.queries);
    expect(card.passed).toBe(true);
  });

  it('raises no alert on the benign principals', () => {
    expect(card.benignQueries).toBeGreaterThan(0);
    expect(card.falseAlarms).toBe(0);
    expect(card.benignBlocked).toBe(0);
  });

  it('fails clearly when the target has no decoy by that name', async () => {
    await expect(
      runDrill('decoy', {
        gatewayUrl: t.aisoc.gatewayUrl,
        adminUrl: t.aisoc.adminUrl,
        adminToken: readFileSync(t.config.admin.tokenFile, 'utf8').trim(),
        model: 'digits',
        data: loadDrillData(join(packageRoot(), 'data'), 'digits'),
        benignPrincipals: 1,
        settleMs: 1000,
      }),
    ).rejects.toMatchObject({ code: 'DRILL_CONTROL_MISSING' });
  }, 60_000);
});
