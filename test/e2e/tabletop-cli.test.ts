import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-tabletop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each test spawns several CLI processes (2-8 s each on a loaded 2-core machine).
describe('aisoc drill tabletop (real CLI)', { timeout: 120_000 }, () => {
  it('writes a pack from a scorecard, records results and lists them in the history', async () => {
    const card = join(dir, 'card.json');
    writeFileSync(
      card,
      JSON.stringify([
        {
          scenario: 'poisoning',
          model: 'breast-cancer',
          attack: 'label-flip+backdoor',
          atlas: ['AML.T0020'],
          detected: true,
          queriesToDetect: null,
          secondsToDetect: 0.11,
          detectors: ['data.audit'],
          contained: true,
          secondsToContain: 0.12,
          waitingForPerson: [],
          benignBlocked: 0,
          falseAlarms: 0,
          passed: true,
        },
      ]),
    );
    const pack = await runCli(
      [
        'drill',
        'tabletop',
        'poisoning',
        '--format',
        'html',
        '--scorecard',
        card,
        '--out',
        join(dir, 'pack.html'),
      ],
      dir,
    );
    expect(pack.stderr).toContain('wrote');
    expect(pack.code).toBe(0);
    const html = readFileSync(join(dir, 'pack.html'), 'utf8');
    expect(html).toContain('(0.11 s) with data.audit');
    expect(html).toContain('EU AI Act Art. 73(2)');

    const results = join(dir, 'results.yaml');
    writeFileSync(
      results,
      [
        'date: 2026-12-01',
        'participants: [{ name: Ana, role: security }, { name: Lee, role: legal-privacy }]',
        'scores:',
        '  - { role: security, decision: Freeze the pipeline, score: 2 }',
        '  - { role: legal-privacy, decision: Report to the authority, score: 0, note: missed the clock }',
        'lessons: [rehearse the AI Act clock]',
      ].join('\n'),
    );
    const recorded = await runCli(
      ['drill', 'tabletop', 'record', 'poisoning', '--results', results],
      dir,
    );
    expect(recorded.stdout).toContain('recorded tabletop poisoning of 2026-12-01: 50 %');
    expect(recorded.code).toBe(0);

    const history = await runCli(['drill', 'history', '--format', 'json'], dir);
    const entries = JSON.parse(history.stdout) as { kind: string; scenario: string }[];
    expect(entries).toEqual([expect.objectContaining({ kind: 'tabletop', scenario: 'poisoning' })]);
  });

  it('refuses bad results naming the field, and records nothing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ date: 'yesterday', participants: [], scores: [] }));
    const r = await runCli(['drill', 'tabletop', 'record', 'evasion', '--results', bad], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.json: date: .*participants: .*scores: /);
    const history = await runCli(['drill', 'history', '--format', 'json'], dir);
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(1);
  });
});
