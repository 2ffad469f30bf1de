import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { AlertSchema, isAppError } from '../../core/index.js';
import { parseReplayLine, registerDetectCommands } from './detect.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-detect-'));

function reference(): string {
  const path = join(dir, 'reference.csv');
  let s = 1;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const rows = Array.from({ length: 200 }, () => [
    ...Array.from({ length: 4 }, () => (10 + 4 * r()).toFixed(3)),
    String(Math.floor(r() * 2)),
  ]);
  writeFileSync(path, ['a,b,c,d,label', ...rows.map((x) => x.join(','))].join('\n'));
  return path;
}

async function run(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const program = new Command().exitOverride();
  registerDetectCommands(program, (l) => out.push(l));
  await program.parseAsync(['node', 'aisoc', ...args]);
  return out;
}

describe('aisoc detect replay', () => {
  const ref = reference();

  it('prints an evasion alert for a recorded run of near-identical queries', async () => {
    const events = join(dir, 'events.jsonl');
    const lines = Array.from({ length: 15 }, (_, i) =>
      JSON.stringify({
        principal: 'mallory',
        time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        features: [12 + i * 0.001, 12, 12, 12],
        outputs: [[0.5 + i * 0.001, 0.5 - i * 0.001]],
      }),
    );
    writeFileSync(events, `${lines.join('\n')}\n`);
    const json = await run([
      'detect',
      'replay',
      events,
      '--model',
      'toy',
      '--reference',
      ref,
      '--format',
      'json',
    ]);
    const alerts = json.map((l) => AlertSchema.parse(JSON.parse(l)));
    expect(
      alerts.some((a) => a.detector === 'extraction.similarity' && a.principal === 'mallory'),
    ).toBe(true);
    const text = await run(['detect', 'replay', events, '--model', 'toy', '--reference', ref]);
    expect(text.at(-1)).toMatch(/^15 events, \d+ alerts$/);
  });

  it('fails with the line number and the field when a line is malformed', async () => {
    const events = join(dir, 'bad.jsonl');
    writeFileSync(
      events,
      `${JSON.stringify({ principal: 'a', time: '2026-01-01T00:00:00Z', features: [[1, 2, 3, 4]], outputs: [[1, 0]] })}\n{"principal":"a","time":"yesterday","features":[[1]],"outputs":[]}\n`,
    );
    await expect(
      run(['detect', 'replay', events, '--model', 'toy', '--reference', ref]),
    ).rejects.toThrow(/line 2: time/);
  });

  it('rejects a line that is not JSON with a stable code', () => {
    try {
      parseReplayLine('{oops', 3, 'toy');
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('DETECT_REPLAY_LINE_INVALID');
      expect((error as Error).message).toMatch(/^line 3: not JSON/);
    }
  });

  it('rejects invalid detector options with the offending field', async () => {
    const events = join(dir, 'one.jsonl');
    writeFileSync(events, '');
    await expect(
      run([
        'detect',
        'replay',
        events,
        '--model',
        'toy',
        '--reference',
        ref,
        '--options',
        '{"similarity":{"k":0}}',
      ]),
    ).rejects.toThrow(/similarity\.k/);
    await expect(
      run(['detect', 'replay', events, '--model', 'toy', '--reference', ref, '--options', '{nope']),
    ).rejects.toThrow(/--options is not JSON/);
  });

  it('names the missing reference file', async () => {
    await expect(
      run(['detect', 'replay', join(dir, 'none.jsonl'), '--model', 'nope', '--data-dir', dir]),
    ).rejects.toThrow(/no reference data at .*nope\/reference.csv/);
  });
});
