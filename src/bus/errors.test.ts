import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BusErrorCodes } from './index.js';

describe('bus error codes', () => {
  it('are each documented in the bus section of docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const section = doc.split(/^## /m).find((s) => s.startsWith('bus\n')) ?? '';
    for (const code of Object.values(BusErrorCodes)) expect(section).toContain(`| \`${code}\` |`);
  });
});
