import { escapeTerminal } from './output/escape.js';

// Escaping lives in one place, src/cli/output/escape.ts; this file only writes.
export { escapeTerminal };

/** Writes to stdout through `escapeTerminal`: the one way the CLI prints. */
export function writeOut(text: string): void {
  process.stdout.write(escapeTerminal(text));
}

/** Writes to stderr through `escapeTerminal` (error messages echo server and user data). */
export function writeErr(text: string): void {
  process.stderr.write(escapeTerminal(text));
}
