import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerScanCommand, runScanCommand } from './scan.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/scan');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aisoc-scan-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function sinks(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY, columns: 80 },
    },
  };
}

describe('aisoc scan', () => {
  it('registers the scan command with its options', () => {
    const program = new Command();
    registerScanCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'scan');
    expect(cmd?.options.map((o) => o.long)).toEqual(['--format', '--policy']);
  });

  it('exits 12 and prints JSON for a malicious file', async () => {
    const s = sinks();
    const code = await runScanCommand(
      [join(dir, 'pickle-os-system-p0.pkl')],
      { format: 'json' },
      s.io,
    );
    expect(code).toBe(12);
    expect(JSON.parse(s.out.join('')).results[0].verdict).toBe('malicious');
  });

  it('exits 0 for safe files and draws no progress bar when stderr is not a TTY', async () => {
    const s = sinks(false);
    const code = await runScanCommand(
      [join(dir, 'pickle-benign-p2.pkl'), join(dir, 'torch-zip-benign.pt')],
      { format: 'table' },
      s.io,
    );
    expect(code).toBe(0);
    expect(s.err).toEqual([]);
  });

  it('draws a progress bar on a TTY for a large tree and clears it', async () => {
    const s = sinks(true);
    await runScanCommand([dir], { format: 'sarif' }, s.io);
    expect(s.err.join('')).toMatch(/\[#{20}\] \d+\/\d+/);
    expect(JSON.parse(s.out.join('')).version).toBe('2.1.0');
  });

  it('fails with SCAN_POLICY_INVALID for a bad policy file, before scanning', async () => {
    const bad = join(tmp, 'policy.yaml');
    await writeFile(bad, 'pickle: [1, 2]\n');
    const s = sinks();
    await expect(
      runScanCommand([dir], { format: 'table', policy: bad }, s.io),
    ).rejects.toMatchObject({
      code: 'SCAN_POLICY_INVALID',
    });
    expect(s.out).toEqual([]);
  });

  it('applies a policy file given with --policy', async () => {
    const file = join(tmp, 'allow.yaml');
    await writeFile(file, 'pickle:\n  allow: [mylib.models.FancyModel]\n');
    const s = sinks();
    const target = join(dir, 'pickle-unknown-class-p2.pkl');
    expect(await runScanCommand([target], { format: 'table' }, s.io)).toBe(10);
    expect(await runScanCommand([target], { format: 'table', policy: file }, s.io)).toBe(0);
  });
});
