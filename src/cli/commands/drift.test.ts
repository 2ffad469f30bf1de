import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../core/index.js';
import { registerDriftCommands } from './drift.js';

const root = join(import.meta.dirname, '..', '..', '..');
const data = (p: string) => join(root, 'data', p);
const ref = JSON.parse(
  readFileSync(join(root, 'test/fixtures/drift/scipy-reference.json'), 'utf8'),
);

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((out += String(chunk)), true));
  try {
    const program = new Command('aisoc').exitOverride();
    registerDriftCommands(program);
    await program.parseAsync(['node', 'aisoc', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('aisoc drift', () => {
  it('prints per-feature statistics equal to scipy on the two files', async () => {
    const out = JSON.parse(
      await run([
        'drift',
        data('breast-cancer/reference.csv'),
        data('breast-cancer/holdout.csv'),
        '--format',
        'json',
        '--exclude',
        'label',
      ]),
    );
    expect(out.features).toHaveLength(30);
    for (const c of ref.files) {
      const f = out.features.find((x: { name: string }) => x.name === c.feature);
      expect(f.statistic).toBeCloseTo(c.statistic, 10);
      expect(Math.abs(f.pValue - c.pValue) / c.pValue).toBeLessThan(1e-8);
      expect(Math.abs(f.wasserstein - c.wasserstein) / c.wasserstein).toBeLessThan(1e-10);
    }
    expect(out.datasetDrift).toBe(false);
  });

  it('prints a table with the data-set verdict', async () => {
    const out = await run(['drift', data('digits/reference.csv'), data('digits/holdout.csv')]);
    expect(out).toMatch(/^FEATURE\s+TEST/);
    expect(out).toMatch(/features drifted .*no data-set drift/);
  });

  it('fails with a stable code on an unreadable file or a bad format', async () => {
    await expect(
      run(['drift', '/nonexistent.csv', data('digits/holdout.csv')]),
    ).rejects.toMatchObject({ code: 'CLI_USAGE' });
    await expect(
      run(['drift', data('digits/README.md'), data('digits/holdout.csv')]),
    ).rejects.toMatchObject({ code: 'DETECT_FORMAT_UNSUPPORTED' });
  });
});

describe('aisoc data audit', () => {
  it('writes the JSON and Markdown reports and the quarantine list, checking the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-audit-'));
    const candidate = join(dir, 'candidate.csv');
    const lines = readFileSync(data('breast-cancer/train.csv'), 'utf8').trim().split('\n');
    lines[5] = lines[5]!.replace(/,(\d)$/, (_, l: string) => `,${1 - Number(l)}`);
    writeFileSync(candidate, lines.join('\n') + '\n');
    const baselineBytes = readFileSync(data('breast-cancer/reference.csv'));
    writeFileSync(join(dir, 'reference.csv'), baselineBytes);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ files: [{ path: 'reference.csv', sha256: sha256Hex(baselineBytes) }] }),
    );
    const out = await run([
      'data',
      'audit',
      '--baseline',
      join(dir, 'reference.csv'),
      '--candidate',
      candidate,
      '--label',
      'label',
      '--manifest',
      join(dir, 'manifest.json'),
      '--out',
      join(dir, 'out'),
    ]);
    expect(out).toMatch(/rows quarantined; report in/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'audit.json'), 'utf8'));
    expect(report.digests[0].ok).toBe(true);
    expect(readFileSync(join(dir, 'out', 'audit.md'), 'utf8')).toMatch(/^# Data audit/);
    expect(readFileSync(join(dir, 'out', 'quarantine.csv'), 'utf8')).toMatch(/^row,id,reasons\n/);
  });

  it('refuses a manifest line that is neither JSON nor sha256sum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-audit-'));
    writeFileSync(join(dir, 'm.txt'), 'nonsense\n');
    await expect(
      run([
        'data',
        'audit',
        '--baseline',
        data('breast-cancer/reference.csv'),
        '--candidate',
        data('breast-cancer/train.csv'),
        '--manifest',
        join(dir, 'm.txt'),
      ]),
    ).rejects.toMatchObject({ code: 'CLI_USAGE', message: expect.stringContaining('line 1') });
  });
});
