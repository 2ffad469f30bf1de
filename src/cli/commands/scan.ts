import { type Command, Option } from 'commander';
import {
  type ScanPolicy,
  type ScanResult,
  formatScanJson,
  formatScanSarif,
  formatScanTable,
  loadScanPolicy,
  scanExitCode,
  scanPaths,
} from '../../scan/index.js';
import { writeOut, writeErr } from '../output.js';

export const SCAN_OUTPUT_FORMATS = ['table', 'json', 'sarif'] as const;
export type ScanOutputFormat = (typeof SCAN_OUTPUT_FORMATS)[number];

export interface ScanCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** Draws `[#####.....] done/total path` on a TTY, at most every 100 ms. */
function progressBar(stderr: ScanCommandIo['stderr']): {
  update(done: number, total: number, path: string): void;
  clear(): void;
} {
  let last = 0;
  let drawn = false;
  const width = Math.max(40, Math.min(stderr.columns ?? 80, 160));
  return {
    update(done, total, path) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const cells = 20;
      const full = Math.round((done / Math.max(1, total)) * cells);
      const head = `[${'#'.repeat(full)}${'.'.repeat(cells - full)}] ${done}/${total} `;
      const room = Math.max(0, width - head.length - 1);
      const tail = path.length > room ? `…${path.slice(path.length - room + 1)}` : path;
      stderr.write(`\r${head}${tail}`.padEnd(width - 1));
      drawn = true;
    },
    clear() {
      if (drawn) stderr.write(`\r${' '.repeat(width - 1)}\r`);
    },
  };
}

function render(results: ScanResult[], format: ScanOutputFormat): string {
  if (format === 'json') return formatScanJson(results);
  if (format === 'sarif') return formatScanSarif(results);
  return formatScanTable(results);
}

/** Runs `aisoc scan` and returns its exit code (0 safe, 10 suspicious, 11 error, 12 malicious). */
export async function runScanCommand(
  paths: string[],
  opts: { format: ScanOutputFormat; policy?: string },
  io: ScanCommandIo,
): Promise<number> {
  // A bad policy file throws SCAN_POLICY_INVALID; runCli prints it and exits 1.
  const policy: ScanPolicy | undefined =
    opts.policy === undefined ? undefined : await loadScanPolicy(opts.policy);
  const bar = io.stderr.isTTY === true ? progressBar(io.stderr) : undefined;
  const results = await scanPaths(paths, {
    ...(policy === undefined ? {} : { policy }),
    onProgress: (done, total, path) => {
      if (total >= 20) bar?.update(done, total, path);
    },
  });
  bar?.clear();
  io.stdout.write(render(results, opts.format));
  return scanExitCode(results);
}

/** Registers `aisoc scan PATH... [--format table|json|sarif] [--policy FILE]`. */
export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'scan model files, folders and archives for code that runs on load; exit 0 safe, 10 suspicious, 11 error, 12 malicious',
    )
    .argument('<paths...>', 'files, folders (recursive) or archives')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(SCAN_OUTPUT_FORMATS)
        .default('table'),
    )
    .option('--policy <file>', 'JSON/YAML allowlist override merged over the built-in policy')
    .action(async (paths: string[], opts: { format: ScanOutputFormat; policy?: string }) => {
      process.exitCode = await runScanCommand(paths, opts, {
        stdout: { write: writeOut },
        stderr: { write: writeErr },
      });
    });
}
