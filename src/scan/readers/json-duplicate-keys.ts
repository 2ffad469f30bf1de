/** A key that appears twice in the same JSON object, with the path of that object. */
export interface DuplicateKey {
  /** Dotted path of the object holding the key (`''` for the top level, `[]` for array items). */
  path: string;
  /** The key after JSON decoding (`"\u0077"` and `"w"` are the same key). */
  key: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Objects with more keys than this (or an escaped key) switch to a Set of decoded keys. */
const SMALL = 16;

/** One open object or array. Small objects keep key spans in `spans` and allocate nothing. */
interface Frame {
  array: boolean;
  /** Start in `spans` of this object's key spans (start, end pairs), while small. */
  base: number;
  set: Set<string> | undefined;
  keyStart: number;
  keyEnd: number;
}

/**
 * Lists keys repeated inside one JSON object. JSON.parse keeps the last value, other parsers
 * the first or reject the file, so a repeated key lets two loaders see two different headers.
 * `text` must already be valid JSON (the caller parsed it): this pass only tracks structure.
 * A safetensors header has one small object per tensor, so small objects compare key spans
 * in place instead of allocating strings; for the large root object the caller passes
 * `rootKeys`, the key count of its parsed value, and the root's keys are only counted.
 */
export function findDuplicateKeys(
  text: string,
  options: { max?: number; rootKeys?: number } = {},
): DuplicateKey[] {
  const { max = 20, rootKeys } = options;
  const found: DuplicateKey[] = [];
  let rootCount = 0;
  const frames: Frame[] = []; // frames[0, depth) are open; the rest are kept for reuse
  let depth = 0;
  const spans: number[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = frames[depth - 1];
      if (expectKey && depth === 1 && rootKeys !== undefined && top?.array === false) {
        rootCount++;
        expectKey = false;
      } else if (expectKey && top !== undefined && !top.array) {
        if (addKey(text, top, spans, i + 1, end) && found.length < max)
          found.push({ path: pathOf(text, frames, depth), key: decode(text, i + 1, end) });
        top.keyStart = i + 1;
        top.keyEnd = end;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const f = frames[depth] ?? (frames[depth] = newFrame());
      f.array = c === 0x5b;
      f.base = spans.length;
      f.set = undefined;
      depth++;
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth > 0) spans.length = (frames[--depth] as Frame).base;
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = depth > 0 && !(frames[depth - 1] as Frame).array;
    }
  }
  // The caller's parsed root holds one entry per distinct key: fewer than declared means a repeat.
  if (rootKeys !== undefined && rootCount !== rootKeys) return findDuplicateKeys(text, { max });
  return found;
}

function newFrame(): Frame {
  return { array: false, base: 0, set: undefined, keyStart: 0, keyEnd: 0 };
}

/** Records the key text[start, end) in the object; true when the object already had it. */
function addKey(text: string, f: Frame, spans: number[], start: number, end: number): boolean {
  const escaped = hasBackslash(text, start, end);
  if (f.set === undefined && !escaped && spans.length - f.base < 2 * SMALL) {
    for (let j = f.base; j < spans.length; j += 2)
      if (sameText(text, spans[j] as number, spans[j + 1] as number, start, end)) return true;
    spans.push(start, end);
    return false;
  }
  if (f.set === undefined) {
    f.set = new Set();
    for (let j = f.base; j < spans.length; j += 2)
      f.set.add(decode(text, spans[j] as number, spans[j + 1] as number));
    spans.length = f.base;
  }
  const key = decode(text, start, end);
  if (f.set.has(key)) return true;
  f.set.add(key);
  return false;
}

function hasBackslash(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (text.charCodeAt(k) === BACKSLASH) return true;
  return false;
}

function sameText(text: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let k = 0; k < aEnd - a; k++)
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** The decoded string whose raw text (without quotes) is text[start, end). */
function decode(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/** Path of the innermost open object, from the keys its ancestors are under. */
function pathOf(text: string, frames: Frame[], depth: number): string {
  const segments: string[] = [];
  for (let d = 0; d < depth - 1; d++) {
    const f = frames[d] as Frame;
    segments.push(f.array ? '[]' : decode(text, f.keyStart, f.keyEnd));
  }
  return segments.join('.');
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length - 1;
    let slashes = 0;
    for (let j = q - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return q;
    i = q + 1;
  }
}
