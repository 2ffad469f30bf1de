// C0 and C1 controls (ESC starts terminal escape sequences), DEL, and the bidirectional
// overrides and isolates that reorder what a terminal shows ("Trojan Source", CVE-2021-42574).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A record value made safe to print on a terminal: control characters become visible escapes. */
export function escapeControl(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * JSON text with the characters JSON.stringify leaves raw (C1 controls, bidi overrides) written
 * as `\uXXXX` escapes: still the same JSON value, but harmless on a terminal.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  // JSON.stringify already escapes C0 inside strings; the newlines left are its own layout.
  return text.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
