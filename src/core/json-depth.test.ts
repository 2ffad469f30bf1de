import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './index.js';

describe('jsonDepthExceeds', () => {
  it('passes JSON within the depth and names the first depth beyond it', () => {
    expect(jsonDepthExceeds('{"a":[[1,2],[3]]}', 3)).toBeNull();
    expect(jsonDepthExceeds('{"a":[[[1]]]}', 3)).toBe(4);
    expect(jsonDepthExceeds('['.repeat(100_000) + ']'.repeat(100_000))).toBe(65);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ s: '[[[[{{{{"\\' }), 1)).toBeNull();
    expect(jsonDepthExceeds(Buffer.from('["\\"[[[["]'), 1)).toBeNull();
  });
});
