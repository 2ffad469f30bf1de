import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
    entryPoints: {
      main: join(root, 'src/cli/main.ts'),
      // start-worker.ts loads './ledger-worker.js' beside the chunk that holds it.
      'ledger-worker': join(root, 'src/ledger/ledger-worker.ts'),
    },
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

/** The node arguments that start the CLI: the run's bundle when there is one, else the sources. */
export function cliCommand(): string[] {
  const dir = process.env[VARIABLE];
  if (dir && existsSync(join(dir, 'main.js'))) return [join(dir, 'main.js')];
  return ['--import', tsxLoader, join(root, 'src/cli/main.ts')];
}
