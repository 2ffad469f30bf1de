import { spawn, type ChildProcess } from 'node:child_process';
import { cliCommand } from './cli-bundle.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

/** Writes an aisoc.yaml for a child aisoc in `dir` (SQLite, free ports). */
export function writeChildConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'aisoc.yaml');
  const { gateway, ...rest } = extra as { gateway?: object };
  writeFileSync(
    file,
    stringify({
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0, ...gateway },
      ...rest,
    }),
  );
  return file;
}

/** Runs `aisoc serve --demo` from the TypeScript sources in a child process; resolves once it printed its demo key (or, on a restart, where it is). */
export function startChildAisoc(
  configFile: string,
  args: readonly string[] = [],
  /** How long the start may take; a loaded machine needs longer to compile the sources. */
  startTimeoutMs = 30_000,
  /** Without `--demo` the config's own models are served and no demo key is made (key ''). */
  options: { demo?: boolean } = {},
): Promise<{
  child: ChildProcess;
  gatewayUrl: string;
  adminUrl: string;
  key: string;
  output: () => string;
}> {
  const child = spawn(
    process.execPath,
    [
      ...cliCommand(),
      'serve',
      ...(options.demo === false ? [] : ['--demo']),
      '-c',
      configFile,
      ...args,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running behind a failed test
      reject(new Error(`aisoc did not start:\n${out}`));
    }, startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aisoc exited with ${code}:\n${out}`));
    });
    const check = () => {
      const gateway = /gateway\s+(http:\/\/\S+)/.exec(out)?.[1];
      const admin = /admin API\s+(http:\/\/\S+)/.exec(out)?.[1];
      // The demo key is printed on the first start only; later starts name its file.
      const saved = /demo key\s+saved in (\S+)/.exec(out)?.[1];
      const key = saved ? readFileSync(saved, 'utf8').trim() : /demo key\s+(\S+)/.exec(out)?.[1];
      if (gateway && admin && (key || options.demo === false)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.off('data', check);
        resolve({ child, gatewayUrl: gateway, adminUrl: admin, key: key ?? '', output: () => out });
      }
    };
    child.stdout!.on('data', check);
  });
}
