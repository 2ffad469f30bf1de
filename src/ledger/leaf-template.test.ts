import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/index.js';
import { canonical, leafPayload, leafTemplate } from './leaf-template.js';

// A small deterministic generator (mulberry32) so a failure can be replayed.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'a',
  'é',
  '\u2028',
  '"q"',
  '\\',
  '\n\t',
  '\ud83d\ude00',
  '\ud800',
  'seq',
  'stream',
  'Z',
  '10',
  '9',
  '__proto__',
];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789.125, -5e-324, 2 ** 53, 1 / 3];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const kind = depth > 3 ? Math.floor(next() * 4) : Math.floor(next() * 6);
  switch (kind) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return next() * 1e6 - 5e5;
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(next() * 5);
      for (let i = 0; i < n; i++)
        obj[pick(STRINGS) + pick(['', 'x', 'A'])] = value(next, depth + 1);
      return obj;
    }
  }
}

describe('the canonical JSON fast path', () => {
  it('writes the same bytes as the reference implementation for 5,000 random values', () => {
    const next = rng(42);
    for (let i = 0; i < 5000; i++) {
      const v = { root: value(next, 0), other: value(next, 1) };
      expect(canonical(v)).toBe(canonicalJson(v));
    }
  });

  it('falls back to the reference for values plain JSON cannot carry', () => {
    expect(canonical({ a: new Uint8Array([1, 2]) })).toBe('{"a":[1,2]}');
    expect(() => canonical({ a: [1, Number.NaN] })).toThrowError(/\$\.a\[1\]/);
    expect(() => canonical({ a: () => 1 })).toThrowError(/not JSON/);
  });
});

describe('leaf templates', () => {
  // First in this file to call leafTemplate, starting with an empty entry: the remembered
  // key order must not take an empty entry for one already seen.
  it('write the same bytes whichever entry came before (the key order is remembered)', () => {
    const entries = [{}, { b: 2, a: 1 }, {}, { a: 1, b: 2 }, { b: 2, a: 1 }, { time: 't' }, {}];
    for (const [i, entry] of entries.entries()) {
      const time = (entry as { time?: string }).time ?? '1970-01-01T00:00:00.000Z';
      expect(leafPayload(leafTemplate('s', entry, 0), i)).toBe(
        canonicalJson({ ...entry, stream: 's', seq: i, time }),
      );
    }
  });

  it('give the canonical JSON of the entry with stream, seq and time once seq is known', () => {
    const entry = { z: 1, a: { y: [1, 2], b: null }, sequel: 's', se: true, model: 'm' };
    const t = leafTemplate('inference', entry, Date.UTC(2026, 0, 2));
    for (const seq of [0, 7, 123456789]) {
      expect(leafPayload(t, seq)).toBe(
        canonicalJson({ ...entry, stream: 'inference', seq, time: '2026-01-02T00:00:00.000Z' }),
      );
    }
  });

  it('match the reference implementation for 3,000 random entries', () => {
    const next = rng(7);
    for (let i = 0; i < 3000; i++) {
      const entry = value(next, 1);
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
      const record = entry as Record<string, unknown>;
      delete record.seq;
      delete record.stream;
      if (i % 2 === 0) record.time = '2026-03-04T05:06:07.000Z';
      else delete record.time;
      const t = leafTemplate('s', record, 0);
      const time = (record.time as string | undefined) ?? '1970-01-01T00:00:00.000Z';
      expect(leafPayload(t, i)).toBe(canonicalJson({ ...record, stream: 's', seq: i, time }));
    }
  });

  it("keep an entry's own time and work for an empty entry", () => {
    const t = leafTemplate('audit', { time: '2025-05-05T05:05:05.000Z' }, 0);
    expect(t.time).toBe('2025-05-05T05:05:05.000Z');
    expect(leafPayload(t, 3)).toBe('{"seq":3,"stream":"audit","time":"2025-05-05T05:05:05.000Z"}');
    expect(leafPayload(leafTemplate('a', {}, 0), 0)).toBe(
      '{"seq":0,"stream":"a","time":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('refuse entries that set stream or seq, bad times and non-objects', () => {
    for (const bad of [{ seq: 1 }, { stream: 'x' }, { time: 5 }, { time: 'a\nb' }, [1], null]) {
      expect(() => leafTemplate('s', bad as object, 0)).toThrowError(
        expect.objectContaining({ code: 'LEDGER_ENTRY_INVALID' }),
      );
    }
    expect(() => leafTemplate('s', { x: Infinity }, 0)).toThrowError(
      expect.objectContaining({ code: 'CANONICAL_JSON_INVALID' }),
    );
    expect(() => leafTemplate('s', { a: 1, z: { y: [1, Number.NaN] } }, 0)).toThrowError(
      /\$\.z\.y\[1\]/,
    );
    expect(leafPayload(leafTemplate('s', { b: new Uint8Array([1]), time: 't' }, 0), 0)).toBe(
      '{"b":[1],"seq":0,"stream":"s","time":"t"}',
    );
  });
});
