import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Every error code declared in a module's errors.ts (quoted values and UPPER_CASE keys). */
function declaredCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const module of readdirSync(join(root, 'src'))) {
    let text: string;
    try {
      text = readFileSync(join(root, 'src', module, 'errors.ts'), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) codes.set(m[1]!, module);
    for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9]*_[A-Z0-9_]+):\s*\d/gm)) codes.set(m[1]!, module);
  }
  return codes;
}

describe('docs/errors.md', () => {
  it('documents every error code that a module declares', () => {
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const missing = [...declaredCodes()].filter(([code]) => !doc.includes(`\`${code}\``)).map(([code, m]) => `${m}: ${code}`);
    expect(missing).toEqual([]);
  });
});
