// A ustar archive writer for the evidence bundle download: the console builds the bundle
// folder the CLI writes (`aisoc evidence export`) as one file, so `tar xf` gives the folder
// that `aisoc evidence verify` checks. No compression: items are hashed byte for byte.

const BLOCK = 512;
const encoder = new TextEncoder();

function field(header: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new Error(`tar: "${text}" does not fit in ${length} bytes`);
  header.set(bytes, offset);
}

/** An octal number, zero-padded to `length - 1` digits and NUL-terminated. */
const octal = (n: number, length: number): string => `${n.toString(8).padStart(length - 1, '0')}\0`;

function header(path: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  // Long paths go into the ustar prefix (up to 155 bytes) split at a slash.
  let name = path;
  let prefix = '';
  if (encoder.encode(path).length > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || encoder.encode(path.slice(cut + 1)).length > 100)
      throw new Error(`tar: path too long: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  field(h, 0, 100, name);
  field(h, 100, 8, octal(0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(Math.floor(mtime / 1000), 12));
  field(h, 148, 8, '        '); // checksum counted as spaces
  field(h, 156, 1, '0');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  field(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The files (path → bytes or text) as one ustar archive, in the order given. */
export function tarArchive(
  files: readonly (readonly [string, Uint8Array | string])[],
  mtime = Date.now(),
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [path, content] of files) {
    const bytes = typeof content === 'string' ? encoder.encode(content) : content;
    const padded = Math.ceil(bytes.length / BLOCK) * BLOCK;
    parts.push(header(path, bytes.length, mtime), bytes);
    if (padded > bytes.length) parts.push(new Uint8Array(padded - bytes.length));
    total += BLOCK + padded;
  }
  parts.push(new Uint8Array(2 * BLOCK)); // end of archive
  total += 2 * BLOCK;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
