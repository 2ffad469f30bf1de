/** A key that appears twice in the same JSON object, with the path of that object. */
export interface DuplicateKey {
  /** Dotted path of the object holding the key (`''` for the top level). */
  path: string;
  /** The key after JSON decoding (`"\u0077"` and `"w"` are the same key). */
  key: string;
}

interface Frame {
  keys: Set<string> | undefined; // undefined for arrays
  path: string;
  expectKey: boolean;
  lastKey: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Lists keys repeated inside one JSON object. JSON.parse keeps the last value, other parsers
 * the first or reject the file, so a repeated key lets two loaders see two different headers.
 * `text` must already be valid JSON (the caller parsed it): this pass only tracks structure.
 */
export function findDuplicateKeys(text: string, max = 20): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let top: Frame | undefined;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.keys !== undefined && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.keys.has(key) && found.length < max) found.push({ path: top.path, key });
        top.keys.add(key);
        top.expectKey = false;
        top.lastKey = key;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const path = top === undefined ? '' : childPath(top);
      top = { keys: c === 0x7b ? new Set() : undefined, path, expectKey: c === 0x7b, lastKey: '' };
      stack.push(top);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      top = stack[stack.length - 1];
    } else if (c === 0x2c /* , */ && top?.keys !== undefined) {
      top.expectKey = true;
    }
  }
  return found;
}

function childPath(parent: Frame): string {
  const seg = parent.keys === undefined ? '[]' : parent.lastKey;
  return parent.path === '' ? seg : `${parent.path}.${seg}`;
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
