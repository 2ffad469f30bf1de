import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERDICTS, scan } from './index.js';

const dir = join(import.meta.dirname, '../../test/fixtures/scan');
const files = readdirSync(dir).filter(
  (f) =>
    statSync(join(dir, f)).isFile() && !f.endsWith('.md') && statSync(join(dir, f)).size < 20_000,
);

/** Deterministic xorshift so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const mode = rand();
  if (mode < 0.3) return out.subarray(0, Math.floor(rand() * out.length));
  const flips = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < flips; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  return out;
}

describe('scan() on mutated fixtures', () => {
  it('always returns a verdict, never an internal failure, and never hangs', async () => {
    const rand = rng(20261122);
    const internal: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      for (let i = 0; i < 40; i++) {
        const r = await scan(mutate(bytes, rand), { name: f, limits: { timeBudgetMs: 2000 } });
        expect(VERDICTS).toContain(r.verdict);
        const bad = r.findings.find((x) => x.rule === 'scan.internal');
        if (bad !== undefined) internal.push(`${f}#${i}: ${bad.message}`);
      }
    }
    expect(internal).toEqual([]);
  });
});
