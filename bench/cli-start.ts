/**
 * CLI start: wall time of `aisoc --version`, `aisoc scan FILE` and `aisoc verify …` (the built
 * dist/src/cli/main.js), measured in interleaved rounds against `node -e 0` (Node's own start)
 * so that load from elsewhere hits every command alike. Target (issue 17): at most 150 ms.
 * `AISOC_BENCH_CLI_BASE=/path/to/other/dist/src/cli/main.js` adds that build as a reference.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROUNDS = Number(process.env.AISOC_BENCH_CLI_ROUNDS ?? 15);
const TARGET_MS = 150;
// Works from bench/ (tsx, through the TypeScript source) and from dist/bench/ (npm run bench).
const root = [join(import.meta.dirname, '..'), join(import.meta.dirname, '..', '..')].find((r) =>
  existsSync(join(r, 'test', 'fixtures')),
) as string;
const main = join(root, 'dist', 'src', 'cli', 'main.js');
const fixtures = join(root, 'test', 'fixtures');
const signed = join(fixtures, 'model-transparency', 'cross');

function commandArgs(cli: string): Record<string, string[]> {
  return {
    '--version': [cli, '--version'],
    'scan FILE': [cli, 'scan', join(fixtures, 'scan', 'gguf-benign.gguf')],
    verify: [
      cli,
      'verify',
      join(signed, 'model'),
      '--signature',
      join(signed, 'ours-prime256v1.sig'),
      '--public-key',
      join(signed, 'keys', 'prime256v1.pub'),
    ],
  };
}

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times every case in interleaved rounds; returns the median ms of each. */
export function measureCliStart(
  cases: Record<string, string[]>,
  rounds: number,
): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) samples[name] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [name, args] of Object.entries(cases)) samples[name]!.push(timeOnce(args));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, ms]) => [name, median(ms)]));
}

export async function run(): Promise<void> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const cases: Record<string, string[]> = { 'node -e 0': ['-e', '0'] };
  for (const [name, args] of Object.entries(commandArgs(main))) cases[`aisoc ${name}`] = args;
  const base = process.env.AISOC_BENCH_CLI_BASE;
  if (base) {
    for (const [name, args] of Object.entries(commandArgs(base))) cases[`base ${name}`] = args;
  }
  const load = loadavg()[0]!.toFixed(2);
  const medians = measureCliStart(cases, ROUNDS);
  const node = medians['node -e 0']!;
  console.log(`${ROUNDS} interleaved rounds, medians; load average ${load} at the start`);
  console.log('command                  ms      vs node -e 0   target');
  for (const [name, ms] of Object.entries(medians)) {
    const target = name.startsWith('aisoc') ? (ms <= TARGET_MS ? 'ok' : 'OVER') : '';
    console.log(
      `${name.padEnd(24)} ${ms.toFixed(1).padStart(6)}  ${(ms / node).toFixed(2).padStart(6)}×        ${target}`,
    );
  }
}
