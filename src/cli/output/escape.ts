// The one list of characters the CLI never prints raw: C0 and C1 controls (ESC starts terminal
// escape sequences, U+009B is a one-byte CSI on many terminals), DEL, and the bidirectional
// marks, overrides and isolates that reorder what a terminal shows ("Trojan Source",
// CVE-2021-42574). Record data (model ids from URLs, principals, file names) is
// attacker-controlled.
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** Everything above, tab and newline included (one record value on one line). */
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');
/** Everything above but tab and newline (whole text the CLI lays out itself). */
const UNSAFE_IN_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');
/** What JSON.stringify leaves raw inside strings (it escapes C0 itself). */
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}]`, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const visible = (c: string) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A record value made safe to print in a cell or field: control characters become escapes. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * Text made safe to print on a terminal: every control character that could move the cursor,
 * recolour, retitle or rewrite the screen is shown as a visible `\uXXXX`; tabs and newlines stay.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/**
 * JSON text with the characters JSON.stringify leaves raw (C1 controls, bidi marks) written
 * as `\uXXXX` escapes: still the same JSON value, but harmless on a terminal.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  // JSON.stringify already escapes C0 inside strings; the newlines left are its own layout.
  return text.replace(UNSAFE_IN_JSON, visible);
}
