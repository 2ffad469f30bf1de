import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Messages between the bench and its target processes (over the fork IPC channel). */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'report'; report: Record<string, unknown> }
  | { type: 'failed'; message: string };

export interface ChildHandle {
  readonly url: string;
  readonly pid: number;
  /** Asks the child to shut down cleanly; resolves with its final report. */
  stop(): Promise<Record<string, unknown>>;
  /** Kills the child at once (used when something already went wrong). */
  kill(): void;
}

/** Extension of the running bench files: `.js` from dist, `.ts` under tsx or vitest. */
export const SCRIPT_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Starts `bench/gateway/<name>` as a separate Node process and waits for it to listen. */
export function startChild(
  name: string,
  env: Record<string, string>,
  options: { execArgv?: string[]; timeoutMs?: number } = {},
): Promise<ChildHandle> {
  const script = fileURLToPath(new URL(`./${name}${SCRIPT_EXT}`, import.meta.url));
  const loader = SCRIPT_EXT === '.ts' ? ['--import', 'tsx'] : [];
  const child = fork(script, [], {
    env: { ...process.env, ...env },
    execArgv: [...loader, ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.timeoutMs ?? 15_000} ms`));
    }, options.timeoutMs ?? 15_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        reject(new Error(`${name}: ${message.message}`));
      }
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(handleFor(child, message.url));
    });
  });
}

function handleFor(child: ChildProcess, url: string): ChildHandle {
  return {
    url,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise((resolve) => {
        let report: Record<string, unknown> = {};
        child.on('message', (m: ChildMessage) => {
          if (m.type === 'report') report = m.report;
        });
        child.once('exit', () => resolve(report));
        if (child.connected) child.send('stop');
        else child.kill('SIGTERM');
      }),
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The child side: announce the URL, and on "stop" run `shutdown`, send its report and exit
 * normally (a normal exit is what makes `--cpu-prof` write its profile).
 */
export function serveAsChild(url: string, shutdown: () => Promise<Record<string, unknown>>): void {
  process.on('message', (message) => {
    if (message !== 'stop') return;
    shutdown().then(
      (report) => sendThen({ type: 'report', report }, () => process.exit(0)),
      (error: unknown) =>
        sendThen({ type: 'report', report: { error: String(error) } }, () => process.exit(1)),
    );
  });
  process.on('disconnect', () => process.exit(0));
  sendThen({ type: 'ready', url }, () => undefined);
}

/** Reports a start-up failure to the parent and exits. */
export function failChild(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  sendThen({ type: 'failed', message }, () => process.exit(1));
}

function sendThen(message: ChildMessage, then: () => void): void {
  if (!process.send) return then();
  process.send(message, undefined, {}, () => then());
}
