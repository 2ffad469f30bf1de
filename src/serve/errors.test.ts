import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServeErrors } from './index.js';

describe('serve error codes', () => {
  it('are each documented in docs/errors.md with their HTTP status', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const [code, status] of Object.entries(ServeErrors)) {
      expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    }
  });
});
