// C0 controls but tab and newline, DEL, C1 controls (U+009B is a one-byte CSI on many
// terminals), and the bidirectional overrides that reorder what is shown (CVE-2021-42574).
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text safe to print on a terminal: every control character that could move the
 * cursor, recolour, retitle or rewrite the screen is shown as a visible `\uXXXX` instead.
 * Record data (model ids from URLs, principals, file names) is attacker-controlled.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes to stdout through `escapeTerminal`: the one way the CLI prints. */
export function writeOut(text: string): void {
  process.stdout.write(escapeTerminal(text));
}

/** Writes to stderr through `escapeTerminal` (error messages echo server and user data). */
export function writeErr(text: string): void {
  process.stderr.write(escapeTerminal(text));
}
