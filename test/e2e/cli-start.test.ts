import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, commandNames } from '../../src/cli/program.js';
import { createLedgerKey } from '../../src/ledger/index.js';
import { createStore } from '../../src/store/index.js';

const root = join(import.meta.dirname, '..', '..');
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const fixtures = join(root, 'test', 'fixtures');
const signed = join(fixtures, 'model-transparency', 'cross');

// A module.register resolve hook, registered after tsx so that it sees every final URL: it
// appends each resolved URL to the file named by AISOC_IMPORT_TRACE. Static and dynamic imports
// both go through resolve, so the file lists the whole import graph the command really loaded.
const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.AISOC_IMPORT_TRACE, result.url + '\\n');
  return result;
}`;
const registerHook = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

const HEAVY = ['onnxruntime-node', 'pg', '@nats-io', 'better-sqlite3'] as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aisoc-cli-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI from source and returns its exit code and the packages its imports reached. */
async function packagesReached(
  args: string[],
): Promise<{ code: number | null; packages: Set<string> }> {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(trace, '');
  const child = spawn(
    process.execPath,
    [
      '--import',
      tsxLoader,
      '--import',
      `data:text/javascript,${encodeURIComponent(registerHook)}`,
      join(root, 'src/cli/main.ts'),
      ...args,
    ],
    { cwd: dir, env: { ...process.env, AISOC_IMPORT_TRACE: trace }, stdio: 'ignore' },
  );
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const packages = new Set<string>();
  for (const url of (await readFile(trace, 'utf8')).split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1] as string);
  }
  return { code, packages };
}

function heavyIn(packages: Set<string>, allowed: readonly string[] = []): string[] {
  return [...packages].filter(
    (p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)) && !allowed.includes(p),
  );
}

describe('aisoc start: light commands load no driver', { timeout: 120_000 }, () => {
  it('--version reaches nothing but commander', async () => {
    const { code, packages } = await packagesReached(['--version']);
    expect(code).toBe(0);
    expect([...packages].filter((p) => p !== 'tsx')).toEqual(['commander']);
  });

  it('scan FILE reaches neither the ONNX runtime, pg, NATS nor SQLite', async () => {
    const { code, packages } = await packagesReached([
      'scan',
      join(fixtures, 'scan', 'gguf-benign.gguf'),
    ]);
    expect(code).toBe(0);
    expect(heavyIn(packages)).toEqual([]);
  });

  it('verify reaches neither the ONNX runtime, pg, NATS nor SQLite', async () => {
    const { code, packages } = await packagesReached([
      'verify',
      join(signed, 'model'),
      '--signature',
      join(signed, 'ours-prime256v1.sig'),
      '--public-key',
      join(signed, 'keys', 'prime256v1.pub'),
    ]);
    expect(code).toBe(0);
    expect(heavyIn(packages)).toEqual([]);
  });

  it('ledger verify on SQLite loads better-sqlite3 but neither pg, NATS nor the ONNX runtime', async () => {
    const config = join(dir, 'aisoc.yaml');
    await mkdir(join(dir, 'data'), { mode: 0o700 });
    await createLedgerKey(join(dir, 'data'), 'cli-start.test');
    const store = await createStore({ driver: 'sqlite', path: join(dir, 'data', 'aisoc.db') });
    await store.migrate();
    await store.close();
    await writeFile(config, `dataDir: ${JSON.stringify(join(dir, 'data'))}\n`);
    const { code, packages } = await packagesReached(['-c', config, 'ledger', 'verify']);
    expect(code).toBe(0);
    expect(packages.has('better-sqlite3')).toBe(true);
    expect(heavyIn(packages, ['better-sqlite3'])).toEqual([]);
  });

  it('sees a driver when a command does load one (the trace can fail)', async () => {
    const { packages } = await packagesReached(['serve', '--help']);
    expect(heavyIn(packages)).not.toEqual([]);
  });
});

describe('the lazy command table', { timeout: 120_000 }, () => {
  it('names exactly the top-level commands its modules register', async () => {
    const registered = (await buildProgram()).commands.map((c) => c.name());
    expect(commandNames()).toEqual(registered);
  });
});
