/** The symbolic values the pickle simulator keeps on its stack and memo. */
export type PValue =
  | { k: 'str'; v: string }
  | { k: 'bytes'; offset: number; length: number; head: Uint8Array }
  | { k: 'num'; v: number | bigint }
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'global'; module: string; name: string; offset: number; allowed: boolean }
  | { k: 'call'; fn: PValue; args: PValue; offset: number }
  | { k: 'tuple' | 'list' | 'set'; items: PValue[] }
  | { k: 'dict'; entries: [PValue, PValue][] }
  | { k: 'persid'; offset: number }
  | { k: 'other'; what: string };

/** Containers keep at most this many items; pickles are analysed, not rebuilt. */
export const MAX_ITEMS = 4096;

export function pushItems(into: PValue[], items: PValue[]): void {
  for (const it of items) {
    if (into.length >= MAX_ITEMS) return;
    into.push(it);
  }
}

/** A short human-readable rendering for evidence in messages. */
export function describe(v: PValue, budget = 120): string {
  const s = render(v, 3);
  return s.length > budget ? `${s.slice(0, budget)}…` : s;
}

function render(v: PValue, depth: number): string {
  if (depth < 0) return '…';
  switch (v.k) {
    case 'str':
      return JSON.stringify(v.v.length > 200 ? `${v.v.slice(0, 200)}…` : v.v);
    case 'bytes':
      return `<${v.length} bytes>`;
    case 'num':
      return String(v.v);
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'global':
      return `${v.module}.${v.name}`;
    case 'call':
      return `${render(v.fn, depth - 1)}(${render(v.args, depth - 1)})`;
    case 'tuple':
    case 'list':
    case 'set':
      return v.items.map((i) => render(i, depth - 1)).join(', ');
    case 'dict':
      return `{${v.entries.map(([a, b]) => `${render(a, depth - 1)}: ${render(b, depth - 1)}`).join(', ')}}`;
    default:
      return `<${v.k}>`;
  }
}

/** The callee at the root of a value, following calls: `f(x)(y)` → f. */
export function rootGlobal(v: PValue): Extract<PValue, { k: 'global' }> | undefined {
  let cur: PValue = v;
  for (let i = 0; i < 64; i++) {
    if (cur.k === 'global') return cur;
    if (cur.k !== 'call') return undefined;
    cur = cur.fn;
  }
  return undefined;
}
