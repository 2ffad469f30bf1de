import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  discoverBenchModules,
  main,
  parseBenchArgs,
  selectBenchModules,
} from '../../bench/main.js';

describe('bench main', () => {
  let dir: string;
  const module = (name: string) => `
import { appendFileSync } from 'node:fs';
export async function run() { appendFileSync(process.env.BENCH_TEST_LOG, '${name}\\n'); }
`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-main-'));
    await writeFile(join(dir, 'alpha.mjs'), module('alpha'));
    await writeFile(join(dir, 'beta.mjs'), module('beta'));
    await writeFile(join(dir, 'helper.mjs'), 'export const notABench = 1;\n');
    await writeFile(join(dir, 'main.mjs'), 'throw new Error("main must not be imported");\n');
    await mkdir(join(dir, 'alpha'));
    await writeFile(
      join(dir, 'alpha', 'child.mjs'),
      'throw new Error("children are not benches");\n',
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the top-level modules that export run(), in name order', async () => {
    const found = await discoverBenchModules(dir, '.mjs');
    expect(found.map((m) => m.name)).toEqual(['alpha', 'beta']);
  });

  it('finds the gateway bench among the real bench modules without running it', async () => {
    const found = await discoverBenchModules(join(import.meta.dirname, '../../bench'), '.ts');
    expect(found.map((m) => m.name)).toContain('gateway');
  });

  it('runs only the module named with --only', async () => {
    const log = join(dir, 'only.log');
    vi.stubEnv('BENCH_TEST_LOG', log);
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['--only', 'beta'], { dir, ext: '.mjs' })).toBe(0);
      expect(await readFile(log, 'utf8')).toBe('beta\n');
    } finally {
      quiet.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('runs every module when no --only is given', async () => {
    const log = join(dir, 'all.log');
    vi.stubEnv('BENCH_TEST_LOG', log);
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main([], { dir, ext: '.mjs' })).toBe(0);
      expect(await readFile(log, 'utf8')).toBe('alpha\nbeta\n');
    } finally {
      quiet.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('accepts --only=NAME and comma-separated names', () => {
    expect(parseBenchArgs(['--only=a,b', '--only', 'c']).only).toEqual(['a', 'b', 'c']);
    expect(parseBenchArgs([]).only).toBeNull();
  });

  it('refuses unknown arguments and a bare --only with the usage', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"[\s\S]*usage/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs a name/);
  });

  it('names the known modules when --only asks for one that does not exist', async () => {
    const modules = await discoverBenchModules(dir, '.mjs');
    expect(() => selectBenchModules(modules, ['gamma'])).toThrow(
      'no bench module named gamma; known: alpha, beta',
    );
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['--only', 'gamma'], { dir, ext: '.mjs' })).toBe(2);
    } finally {
      err.mockRestore();
    }
  });

  it('reports a failing module with exit code 1 and still runs the others', async () => {
    const failing = await mkdtemp(join(tmpdir(), 'aisoc-bench-fail-'));
    await writeFile(
      join(failing, 'a.mjs'),
      'export async function run() { throw new Error("boom"); }\n',
    );
    await writeFile(join(failing, 'b.mjs'), module('b'));
    const log = join(failing, 'b.log');
    vi.stubEnv('BENCH_TEST_LOG', log);
    const lines: string[] = [];
    const out = vi
      .spyOn(console, 'log')
      .mockImplementation((line: string) => void lines.push(line));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main([], { dir: failing, ext: '.mjs' })).toBe(1);
      expect(lines.some((l) => l.includes('bench a: FAILED') && l.includes('boom'))).toBe(true);
      expect(await readFile(log, 'utf8')).toBe('b\n');
    } finally {
      out.mockRestore();
      err.mockRestore();
      vi.unstubAllEnvs();
      await rm(failing, { recursive: true, force: true });
    }
  });
});
