import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliCommand } from './cli-bundle.js';

const root = join(import.meta.dirname, '..', '..');

/** Runs the real CLI in a child process; async, because the server it calls may run in this one. */
export function runCli(
  args: string[],
  cwd = root,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...cliCommand(), ...args], { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
