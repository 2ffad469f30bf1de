import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from '../../src/app/index.js';
import {
  embeddedImpact,
  startDrillFixture,
  TRIAGE_MODEL,
  type DrillFixture,
} from '../../src/cli/commands/drill-fixture.js';
import { formatScorecard, loadDrillData, runDrill, type Scorecard } from '../../src/drill/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { createOcsfValidator } from '../support/ocsf-validator.js';
import { STIX_SCHEMA_FILES, stixValidators } from '../support/stix-validator.js';

// Issue 12's scenario as a drill against a throw-away aisoc: a poisoned drill-triage v2 is
// released by an insider and serves ten clinics until the output-drift alert; the
// data-poisoning playbook pins v1 once the drill approves; then impact, the evidence bundle
// (verified offline, and failing on one changed byte), the review with its GDPR and AI Act
// clocks, and the STIX and OCSF exports each become a scorecard line.
describe('the poisoning drill with a poisoned model version, forensics included', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let fixture: DrillFixture;
  let fixtureDir: string;
  let card: Scorecard;
  const line = (check: string) => card.forensics?.find((f) => f.check === check);

  beforeAll(async () => {
    fixtureDir = mkdtempSync(join(tmpdir(), 'aisoc-drill-poisoned-'));
    fixture = await startDrillFixture(fixtureDir);
    // The SOC webhook the playbook notifies points at the fixture's sink, as in `drill all`.
    t = await startTestAisoc({
      models: [...demoModels(), ...fixture.models],
      respond: fixture.respond,
    });
    card = await runDrill('poisoning', {
      gatewayUrl: t.aisoc.gatewayUrl,
      adminUrl: t.aisoc.adminUrl,
      adminToken: readFileSync(t.config.admin.tokenFile, 'utf8').trim(),
      model: TRIAGE_MODEL,
      attack: 'poisoned-version',
      data: loadDrillData(join(packageRoot(), 'data'), 'breast-cancer'),
      benignPrincipals: 2,
      settleMs: 8000,
      control: {
        ...fixture.control,
        impact: embeddedImpact(t.config, () => t.aisoc.ledger.flush()),
      },
    });
    process.stdout.write(formatScorecard([card]));
  }, 240_000);
  afterAll(async () => {
    await t?.aisoc.close();
    await fixture?.close();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

  it('catches the release by output drift and rolls back through the data-poisoning playbook', () => {
    expect(card.attack).toBe('poisoning.poisoned-version');
    expect(card.detected).toBe(true);
    expect(card.detectors).toEqual(['output-drift']);
    expect(card.playbooks).toContain('data-poisoning');
    expect(card.contained).toBe(true);
    expect(line('output drift: answers to alert')).toMatchObject({ passed: true });
    // Output drift judges windows of 150 rows: the alert comes within a few windows.
    expect(card.achieved.answersBeforeAlert).toBeGreaterThan(0);
    expect(card.achieved.answersBeforeAlert).toBeLessThanOrEqual(600);
    expect(card.achieved.poisonedAnswers).toBeGreaterThanOrEqual(200);
    expect(line('rollback')).toMatchObject({ passed: true });
  });

  it('scores impact, the offline bundle, the review and its clocks, and the exports', () => {
    expect(line('impact')).toMatchObject({
      passed: true,
      detail: expect.stringMatching(
        /re-scored on 1: [1-9]\d* flip; \d+ from 10 clinics \(0 clinics miscounted\), 50 data subjects/,
      ),
    });
    expect(line('evidence bundle')).toMatchObject({
      passed: true,
      detail: expect.stringMatching(/one changed byte in items\/\S+ fails, naming the file/),
    });
    expect(line('review and deadlines')).toMatchObject({ passed: true });
    expect(line('STIX and OCSF')).toMatchObject({ passed: true });
    expect(card.passed).toBe(true);
    const table = formatScorecard([card]);
    expect(table).toMatch(/forensics: impact +pass: /);
    expect(table).toMatch(/forensics: review and deadlines +pass: .*GDPR Art\. 33\(1\) due /);
  });

  it("validates the drilled incident's STIX and OCSF against the vendored schemas", async () => {
    const incidentId = card.incidents[0]!;
    const stix = (await t.admin(`/api/v1/incidents/${incidentId}/export?format=stix`)).json as {
      objects: { type: string }[];
    };
    const validator = stixValidators();
    const rest = { ...stix, objects: stix.objects.filter((o) => o.type !== 'incident') };
    const bundle = validator('common/bundle.json');
    expect(bundle(rest), JSON.stringify(bundle.errors)).toBe(true);
    for (const object of stix.objects) {
      const validate = validator(STIX_SCHEMA_FILES[object.type]!);
      expect(validate(object), `${object.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
    const ocsf = await (
      await fetch(`${t.aisoc.adminUrl}/api/v1/incidents/${incidentId}/export?format=ocsf`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    const validateOcsf = createOcsfValidator(
      join(import.meta.dirname, '..', 'fixtures', 'ocsf-1.3.0'),
    );
    for (const l of ocsf.trimEnd().split('\n'))
      expect(validateOcsf('detection_finding', JSON.parse(l))).toEqual([]);
  });
});
