import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ATLAS, OWASP } from './taxonomy.js';

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('the ATLAS and OWASP taxonomy', () => {
  it('names only technique ids that the shipped MITRE ATLAS data holds', () => {
    const atlas = parse(readFileSync(join(root, 'data', 'atlas', 'ATLAS.yaml'), 'utf8')) as {
      matrices: { techniques: { id: string }[] }[];
    };
    const known = new Set(atlas.matrices.flatMap((m) => m.techniques.map((t) => t.id)));
    expect(Object.values(ATLAS).filter((id) => !known.has(id))).toEqual([]);
  });

  it('names only OWASP ids that the shipped OWASP data holds', () => {
    const owasp = JSON.parse(
      readFileSync(join(root, 'src', 'respond', 'data', 'owasp.json'), 'utf8'),
    ) as Record<string, { items?: { id: string }[] }>;
    const known = new Set(
      Object.values(owasp).flatMap((list) => list.items?.map((i) => i.id) ?? []),
    );
    expect(Object.values(OWASP).filter((id) => !known.has(id))).toEqual([]);
  });

  it('is the only source file that spells an id out (everything else imports ATLAS and OWASP)', () => {
    const literal = /['"`](AML\.T\d{4}(?:\.\d{3})?|(?:ML|LLM)\d{2}:20\d{2})['"`]/;
    const spelled = sourceFiles(join(root, 'src'))
      .filter((f) => !f.endsWith('taxonomy.ts') && !f.endsWith('.contract.ts'))
      .filter((f) => literal.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(spelled).toEqual([]);
  });
});
