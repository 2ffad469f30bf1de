import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarArchive } from './tar';

// The archive is checked by GNU tar itself: what `tar xf` gives back is what went in.
describe('tarArchive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-tar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips files of every size class and a long path through tar', () => {
    const long = `items/${'d'.repeat(40)}/sha256-${'a'.repeat(64)}`; // > 100 bytes
    const block = new Uint8Array(512).map((_, i) => i % 251);
    const files: [string, Uint8Array | string][] = [
      ['manifest.json', '{"format":"aisoc-evidence-bundle/1"}\n'],
      ['ledger/entries.jsonl', ''],
      ['items/exact-block', block],
      [long, 'ümlaut bytes\n'],
    ];
    const archive = tarArchive(files, Date.parse('2026-01-02T03:04:05Z'));
    expect(archive.length % 512).toBe(0);
    const file = join(dir, 'bundle.tar');
    writeFileSync(file, archive);
    const listed = execFileSync('tar', ['tvf', file], { encoding: 'utf8' });
    expect(listed).toContain('2026-01-02');
    const out = join(dir, 'out');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['xf', file, '-C', out]);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(files[0]![1]);
    expect(readFileSync(join(out, 'ledger/entries.jsonl'), 'utf8')).toBe('');
    expect(new Uint8Array(readFileSync(join(out, 'items/exact-block')))).toEqual(block);
    expect(readFileSync(join(out, long), 'utf8')).toBe('ümlaut bytes\n');
  });

  it('refuses a path it cannot store', () => {
    expect(() => tarArchive([['x'.repeat(300), '']])).toThrow(/path too long/);
  });
});
