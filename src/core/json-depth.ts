/** How deep parsed JSON may nest at the edges (gateway, admin API); real requests stay far below. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * The first nesting depth above `max` in JSON text, or null when it stays within: one pass over
 * the bytes, no recursion, strings skipped. Checked before parsing so that code walking the
 * parsed value recursively can never overflow the stack (issue 14, finding 13).
 */
export function jsonDepthExceeds(text: Uint8Array | string, max = MAX_JSON_DEPTH): number | null {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return depth;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return null;
}
