import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { chooseLabelColumn, columnMismatches, enforceFailOn } from './data-checks.js';
import { registerDriftCommands } from './drift.js';

const root = join(import.meta.dirname, '..', '..', '..');
const data = (p: string) => join(root, 'data', p);

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    const program = new Command('aisoc').exitOverride();
    registerDriftCommands(program);
    await program.parseAsync(['node', 'aisoc', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { out, err };
}

/** The holdout split with every tenth label flipped: a label-flip poisoning of 10 % of rows. */
function flippedHoldout(dir: string, extraColumn?: string): string {
  const [header, ...rows] = readFileSync(data('breast-cancer/holdout.csv'), 'utf8')
    .trim()
    .split('\n');
  const flipped = rows.map((line, i) => {
    if (i % 10 !== 0) return line;
    const cells = line.split(',');
    cells[cells.length - 1] = cells.at(-1) === '0' ? '1' : '0';
    return cells.join(',');
  });
  const out = join(dir, 'flipped.csv');
  const add = (line: string, v: string) => (extraColumn ? `${line},${v}` : line);
  writeFileSync(
    out,
    [add(header!, extraColumn ?? ''), ...flipped.map((l) => add(l, '0'))].join('\n'),
  );
  return out;
}

describe('data checks', () => {
  it('takes the one column named label, target, y or class as the label', () => {
    expect(chooseLabelColumn(['a', 'Target'], ['a', 'Target']).column).toBe('Target');
    expect(chooseLabelColumn(['a', 'y'], ['a', 'y'], 'a').column).toBe('a');
    expect(chooseLabelColumn(['a', 'b'], ['a', 'b'])).toMatchObject({
      column: undefined,
      note: expect.stringContaining('label-flip and label-drift checks skipped'),
    });
    expect(() => chooseLabelColumn(['label', 'class'], ['label', 'class'])).toThrow(
      /ambiguous: label, class/,
    );
    expect(() => chooseLabelColumn(['a', 'label'], ['a'])).toThrow(/not in the candidate/);
  });

  it('names every column only one file has', () => {
    expect(
      columnMismatches(
        { name: 'r.csv', columns: ['a', 'b'] },
        { name: 'c.csv', columns: ['b', 'c'] },
      ),
    ).toEqual([
      'column "a" is only in r.csv: not compared',
      'column "c" is only in c.csv: not compared',
    ]);
  });

  it('fails on the verdict with --fail-on drift, and on any signal with --fail-on warn', () => {
    expect(() => enforceFailOn(undefined, { verdict: 'drift', signals: [] })).not.toThrow();
    expect(() => enforceFailOn('drift', { verdict: null, signals: ['x'] })).not.toThrow();
    expect(() => enforceFailOn('drift', { verdict: 'data-set drift', signals: [] })).toThrow(
      expect.objectContaining({ code: 'CLI_CHECK_FAILED' }),
    );
    expect(() => enforceFailOn('warn', { verdict: null, signals: ['x'] })).toThrow(/1 warning/);
  });

  it('finds 10 % flipped labels without --label and fails with --fail-on drift', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-checks-'));
    const args = ['data', 'audit', '--baseline', data('breast-cancer/train.csv')];
    const candidate = flippedHoldout(dir);
    const found = await run([...args, '--candidate', candidate, '--format', 'json']);
    expect(found.err).toContain('label column: label (found by name');
    const report = JSON.parse(found.out);
    expect(report.labelColumn).toBe('label');
    expect(report.features).not.toContain('label');
    expect(report.quarantine.length).toBeGreaterThan(0);
    await expect(
      run([...args, '--candidate', candidate, '--format', 'json', '--fail-on', 'drift']),
    ).rejects.toMatchObject({ code: 'CLI_CHECK_FAILED', message: /row\(s\) quarantined/ });
  });

  it('refuses an ambiguous label column, and warns about columns only one file has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-checks-'));
    const withTarget = flippedHoldout(dir, 'target');
    await expect(
      run(['data', 'audit', '--baseline', withTarget, '--candidate', withTarget]),
    ).rejects.toMatchObject({ code: 'CLI_USAGE', message: /ambiguous: label, target/ });
    const drift = await run(['drift', data('breast-cancer/holdout.csv'), withTarget]);
    expect(drift.err).toContain('column "target" is only in');
    await expect(
      run(['drift', data('breast-cancer/holdout.csv'), withTarget, '--fail-on', 'warn']),
    ).rejects.toMatchObject({ code: 'CLI_CHECK_FAILED' });
    // Same files, nothing to warn about: --fail-on warn passes.
    const same = data('breast-cancer/holdout.csv');
    await expect(run(['drift', same, same, '--fail-on', 'warn'])).resolves.toBeDefined();
  });
});
