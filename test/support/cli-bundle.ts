import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const VARIABLE = 'AISOC_TEST_CLI_DIR';
const SHARED = Symbol.for('aisoc.test.cliBundle');

/**
 * Bundles the CLI once per test run (esbuild, about a second) so that each of the several
 * hundred CLI child processes the suites start loads a few files instead of compiling the
 * sources through tsx (measured 0.5 s against 1.1–2.0 s per start). The bundle is the same
 * source; the lazy command table survives as code-split chunks.
 */
export async function buildCliBundle(): Promise<() => void> {
  // Each vitest project runs its global setup in this one process, possibly as separate module
  // instances: one shared build, removed when the last project is done with it.
  const shared = ((globalThis as Record<symbol, unknown>)[SHARED] ??= {
    users: 0,
    built: undefined,
  }) as { users: number; built: Promise<string> | undefined };
  shared.users++;
  shared.built ??= bundle();
  process.env[VARIABLE] = await shared.built;
  process.env.AISOC_WORKER_BUNDLE_DIR = process.env[VARIABLE];
  return () => {
    if (--shared.users > 0) return;
    void shared.built?.then((dir) => rmSync(dir, { recursive: true, force: true }));
    shared.built = undefined;
  };
}

async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'aisoc-test-cli', String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build({
    // spawnModuleWorker loads './<name>.js' beside the chunk that calls it: every worker
    // entry becomes a top-level file of the bundle, beside the chunks.
    entryPoints: { main: join(root, 'src/cli/main.ts'), ...workerEntries() },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return dir;
}

/** Every module started with `spawnModuleWorker(import.meta.url, 'name', …)` in src/, by name. */
function workerEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const path = join(root, 'src', file);
    for (const m of readFileSync(path, 'utf8').matchAll(SPAWN))
      entries[m[1]!] = join(dirname(path), `${m[1]!}.ts`);
  }
  return entries;
}
const SPAWN = /spawnModuleWorker\(\s*import\.meta\.url,\s*'([\w-]+)'/g;

/** The node arguments that start the CLI: the run's bundle when there is one, else the sources. */
export function cliCommand(): string[] {
  const dir = process.env[VARIABLE];
  if (dir && existsSync(join(dir, 'main.js'))) return [join(dir, 'main.js')];
  return ['--import', tsxLoader, join(root, 'src/cli/main.ts')];
}
