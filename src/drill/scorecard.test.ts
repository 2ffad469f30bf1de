import { describe, expect, it } from 'vitest';
import { parseLabelledCsv } from './drill-data.js';
import { isContainment, parseV2 } from './http-target.js';
import { attackNamed, scenarioNamed } from './scenarios.js';
import { formatScorecard, type Scorecard } from './scorecard.js';

const card: Scorecard = {
  scenario: 'extraction',
  model: 'm',
  attack: 'extraction.knockoff',
  atlas: ['AML.T0024.002'],
  attacker: 'a',
  detected: true,
  queriesToDetect: 40,
  secondsToDetect: 0.02,
  detectors: ['extraction.novelty'],
  contained: false,
  secondsToContain: null,
  containedWith: null,
  attackerThrottled: 0,
  incidents: ['inc_1'],
  incidentTimeToContainMs: null,
  playbooks: ['model-extraction'],
  waitingForPerson: ['approval approve-revoke: Revoke a|b?'],
  benignPrincipals: 2,
  benignQueries: 10,
  benignBlocked: 0,
  falseAlarms: 0,
  falseAlarmPrincipals: [],
  falseAlarmDetectors: [],
  achieved: { queries: 300, agreement: 0.983 },
  passed: false,
};

describe('formatScorecard', () => {
  it('prints a table with the verdict, the figures and what the attacker achieved', () => {
    const text = formatScorecard([card]);
    expect(text).toMatch(/queries to detect\s+40/);
    expect(text).toMatch(/contained\s+NO/);
    expect(text).toMatch(/98\.3% of holdout rows/);
    expect(text).toMatch(/verdict\s+FAIL/);
  });

  it('escapes pipes in Markdown cells and round-trips JSON', () => {
    expect(formatScorecard([card], 'markdown')).toContain('Revoke a\\|b?');
    expect(JSON.parse(formatScorecard([card], 'json'))).toEqual([card]);
  });
});

describe('drill inputs', () => {
  it('reads a KServe V2 answer into probabilities and labels', () => {
    const text = JSON.stringify({
      outputs: [
        { name: 'probabilities', shape: [2, 2], data: [0.9, 0.1, 0.2, 0.8] },
        { name: 'label', shape: [2], data: [0, 1] },
      ],
    });
    expect(parseV2(text, 2)).toEqual({
      probabilities: [
        [0.9, 0.1],
        [0.2, 0.8],
      ],
      labels: [0, 1],
    });
  });

  it('rejects answers that are not JSON or have the wrong number of scores, with a stable code', () => {
    expect(() => parseV2('<html>', 1)).toThrow(
      expect.objectContaining({ code: 'DRILL_RESPONSE_INVALID' }),
    );
    const odd = JSON.stringify({ outputs: [{ name: 'probabilities', data: [1, 2, 3] }] });
    expect(() => parseV2(odd, 2)).toThrow(/expected 2 rows/);
  });

  it("tells a containment 429 (naming its action) from the key's ordinary rate limit", () => {
    const body = (details: object) => JSON.stringify({ code: 'GATEWAY_RATE_LIMITED', details });
    expect(isContainment(body({ action: 'rate_limit', actionId: 'act_1' }))).toBe(true);
    expect(isContainment(body({ retryAfterSeconds: 0.01 }))).toBe(false);
    expect(isContainment('not json')).toBe(false);
  });

  it('names the CSV line that is not a row of numbers', () => {
    expect(() => parseLabelledCsv('a,b,label\n1,2,0\n1,x,1\n', 'f.csv')).toThrow(/f\.csv line 3/);
  });

  it('refuses an attack the scenario does not have and lists those it has', () => {
    expect(attackNamed(scenarioNamed('evasion'), undefined)).toBe('hop-skip-jump');
    expect(() => attackNamed(scenarioNamed('extraction'), 'boundary')).toThrow(
      expect.objectContaining({
        code: 'DRILL_ATTACK_UNKNOWN',
        message: expect.stringMatching(/knockoff, random/),
      }),
    );
  });

  it('refuses an unknown scenario and lists the known ones', () => {
    expect(() => scenarioNamed('poison')).toThrow(
      expect.objectContaining({
        code: 'DRILL_SCENARIO_UNKNOWN',
        message: expect.stringMatching(/extraction, evasion/),
      }),
    );
  });
});
