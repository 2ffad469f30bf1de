/** The colours the CLI uses; plain text whenever colour is off. */
const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39] };
export type Style = keyof typeof CODES;

/**
 * Colour only for a person at a terminal: stdout is a TTY and NO_COLOR (https://no-color.org)
 * is unset or empty; FORCE_COLOR=1 turns it on for tests and pagers that render it.
 */
export function colourEnabled(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Wraps text in an ANSI style when colour is on. */
export function paint(text: string, style: Style, on = colourEnabled()): string {
  if (!on) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** The style a well-known state or severity value is shown in, if any. */
export function styleFor(value: string): Style | undefined {
  if (/^(critical|high|revoked|tampered|malicious|failed|error)$/i.test(value)) return 'red';
  if (/^(medium|suspended|quarantined|suspicious|warn|drift)$/i.test(value)) return 'yellow';
  if (/^(ok|active|approved|clean|valid)$/i.test(value)) return 'green';
  return undefined;
}
