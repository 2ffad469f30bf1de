import { describe, expect, it } from 'vitest';
import { clockDeadline, REGULATORY_CLOCKS } from '../../core/index.js';
import { deadlineClocks } from '../../report/index.js';
import type { Scorecard } from '../scorecard.js';
import {
  buildTabletop,
  parseTabletopResults,
  renderTabletopHtml,
  renderTabletopMarkdown,
  TABLETOP_PACKS,
  TABLETOP_ROLES,
  TABLETOP_SCENARIOS,
  tabletopScenarioNamed,
} from './index.js';

const card = {
  scenario: 'extraction',
  model: 'digits',
  attack: 'knockoff',
  atlas: ['AML.T0024.002'],
  detected: true,
  queriesToDetect: 40,
  secondsToDetect: 0.02,
  detectors: ['extraction.novelty'],
  contained: true,
  secondsToContain: 0.05,
  waitingForPerson: ['approve harden_output'],
  benignBlocked: 0,
  falseAlarms: 0,
} as unknown as Scorecard;

describe('tabletop packs', () => {
  it.each(TABLETOP_SCENARIOS)('%s gives every role a card with a decision to take', (name) => {
    const built = buildTabletop(name);
    for (const role of TABLETOP_ROLES) {
      expect(built.pack.briefs[role].length).toBeGreaterThan(20);
      expect(built.decisions.filter((d) => d.role === role).length).toBeGreaterThan(0);
    }
    expect(built.pack.questions.length).toBeGreaterThan(0);
  });

  it('resolves every decision clock to a regulation the scenario is under', () => {
    for (const pack of Object.values(TABLETOP_PACKS))
      for (const d of pack.decisions.filter((x) => x.clock)) {
        const clock = REGULATORY_CLOCKS.find((c) => c.id === d.clock);
        expect(clock, `${pack.scenario}: ${d.clock}`).toBeDefined();
        expect(pack.regulations).toContain(clock!.regulation);
      }
  });

  it('opens the timeline with what the drill measured', () => {
    const md = renderTabletopMarkdown(buildTabletop('extraction', card));
    expect(md).toContain('after 40 queries (0.02 s) with extraction.novelty');
    expect(md).toContain('Containment took effect after 0.05 s; 1 steps wait for a person');
    expect(md).toContain('timings from the extraction drill on digits (knockoff)');
    const illustrative = renderTabletopMarkdown(buildTabletop('extraction'));
    expect(illustrative).not.toContain('Drill replay');
  });

  it('puts deadlines on the legal decisions and a scoring row per decision', () => {
    const built = buildTabletop('healthcare');
    const md = renderTabletopMarkdown(built);
    expect(md).toContain('EU AI Act Art. 73(4): market surveillance authority within 10 days');
    expect(md).toContain('GDPR Art. 33(1): supervisory authority within 72 h');
    const sheet = md.slice(md.indexOf('## Scoring sheet'));
    expect(
      sheet.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).length,
    ).toBe(built.decisions.length + 1);
  });

  it('writes HTML that loads nothing and escapes its text', () => {
    const html = renderTabletopHtml(buildTabletop('evasion'));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/);
    expect(html).toContain('Customers&#39; card data');
    expect(html).toContain('<th scope="col">inject</th>');
  });

  it('refuses an unknown scenario by name', () => {
    expect(() => tabletopScenarioNamed('heathcare')).toThrow(/known: extraction, evasion/);
  });
});

describe('tabletop results', () => {
  const good = {
    date: '2026-12-01',
    participants: [{ name: 'Ana', role: 'security' }],
    scores: [
      { role: 'security', decision: 'Suspend the key', score: 2 },
      { role: 'executive', decision: 'Materiality', score: 1 },
    ],
    lessons: ['decide materiality earlier'],
  };

  it('keeps the results with the share of the possible score', () => {
    const r = parseTabletopResults('evasion', good, 'r.yaml', new Date('2026-12-02T00:00:00Z'));
    expect(r).toMatchObject({ kind: 'tabletop', scenario: 'evasion', scoreShare: 0.75 });
    expect(r.recordedAt).toBe('2026-12-02T00:00:00.000Z');
  });

  it('names every bad field by its path', () => {
    const bad = {
      ...good,
      participants: [{ name: 'Bo', role: 'ceo' }],
      scores: [{ role: 'security', decision: 'x', score: 3 }],
    };
    expect(() => parseTabletopResults('evasion', bad, 'r.yaml', new Date())).toThrow(
      /r\.yaml: participants\.0\.role: .*; scores\.0\.score/,
    );
  });
});

describe('regulatory clocks', () => {
  it('counts SEC business days over a weekend', () => {
    const sec = REGULATORY_CLOCKS.find((c) => c.id === 'sec-8k-item105')!;
    const friday = Date.parse('2026-12-04T10:00:00Z');
    expect(new Date(clockDeadline(sec, friday)!).toISOString()).toBe('2026-12-10T10:00:00.000Z');
  });

  it('gives GDPR Art. 33 72 hours', () => {
    const gdpr = REGULATORY_CLOCKS.find((c) => c.id === 'gdpr-art33')!;
    expect(clockDeadline(gdpr, 0)).toBe(72 * 3_600_000);
  });

  it('gives a tabletop the same duties and deadlines as an incident report (one table)', () => {
    const aware = '2026-12-04T10:00:00.000Z';
    for (const scenario of TABLETOP_SCENARIOS) {
      const { pack, clocks } = buildTabletop(scenario);
      const report = deadlineClocks(pack.regulations, aware, { criticality: 'high', tags: [] }, 0);
      expect(
        clocks.map((c) => c.id),
        scenario,
      ).toEqual(report.map((c) => c.id));
      for (const [i, c] of clocks.entries()) {
        const end = clockDeadline(c, Date.parse(aware));
        expect(end === null ? null : new Date(end).toISOString(), c.id).toBe(report[i]!.deadline);
      }
    }
    const md = renderTabletopMarkdown(buildTabletop('healthcare'));
    expect(md).toContain('without undue delay'); // GDPR Art. 34 sets no fixed limit
  });
});
