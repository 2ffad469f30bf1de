/**
 * `npm run bench`: runs every bench/*.ts module that exports `run()`, in name order, or only
 * the ones named with `--only NAME` (repeatable, or comma-separated). Each module prints its
 * own section.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchModule {
  name: string;
  file: string;
  run: () => Promise<void>;
}

export interface BenchArgs {
  only: string[] | null;
  help: boolean;
}

export const USAGE = 'usage: npm run bench [-- --only NAME[,NAME…]] (--list to show names)';

/** Imports every top-level module in `dir` with the given extension and keeps those with `run()`. */
export async function discoverBenchModules(dir: string, ext: string): Promise<BenchModule[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .map((e) => (e.isFile() ? e.name : ''))
    .filter((n) => n.endsWith(ext) && !n.endsWith(`.d${ext}`) && !n.endsWith(`.test${ext}`))
    .filter((n) => n !== `main${ext}`)
    .sort();
  const found: BenchModule[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const mod = (await import(pathToFileURL(file).href)) as { run?: unknown };
    if (typeof mod.run === 'function') {
      found.push({ name: basename(name, ext), file, run: mod.run as () => Promise<void> });
    }
  }
  return found;
}

/** Parses the bench's arguments; throws with the usage on anything it does not know. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const only: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h' || arg === '--list') help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value || value.startsWith('-')) throw new Error(`--only needs a name\n${USAGE}`);
      only.push(...value.split(',').filter(Boolean));
    } else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
  }
  return { only: only.length ? only : null, help };
}

/** Picks the modules to run; names that match no module are an error listing the known ones. */
export function selectBenchModules(
  modules: readonly BenchModule[],
  only: readonly string[] | null,
): BenchModule[] {
  if (only === null) return [...modules];
  const known = new Set(modules.map((m) => m.name));
  const missing = only.filter((n) => !known.has(n));
  if (missing.length)
    throw new Error(`no bench module named ${missing.join(', ')}; known: ${[...known].join(', ')}`);
  return modules.filter((m) => only.includes(m.name));
}

/** Runs the chosen modules one after another; a failing module does not stop the others. */
export async function runBenchModules(
  modules: readonly BenchModule[],
  log: (line: string) => void = console.log,
): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  for (const m of modules) {
    log(`\n=== bench ${m.name} ===`);
    const started = performance.now();
    try {
      await m.run();
      log(
        `=== bench ${m.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s ===`,
      );
    } catch (error) {
      failed.push(m.name);
      log(
        `=== bench ${m.name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  return { failed };
}

/** The command: returns the process exit code (0 ok, 1 a module failed, 2 bad usage). */
export async function main(
  argv: readonly string[],
  where: { dir: string; ext: string } = {
    dir: dirname(fileURLToPath(import.meta.url)),
    ext: import.meta.url.endsWith('.ts') ? '.ts' : '.js',
  },
): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const modules = await discoverBenchModules(where.dir, where.ext);
  if (args.help) {
    console.log(`${USAGE}\nmodules: ${modules.map((m) => m.name).join(', ')}`);
    return 0;
  }
  let chosen: BenchModule[];
  try {
    chosen = selectBenchModules(modules, args.only);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { failed } = await runBenchModules(chosen);
  if (failed.length) console.error(`bench modules failed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
