import { describe, expect, it } from 'vitest';
import { findDuplicateKeys } from './json-duplicate-keys.js';

describe('findDuplicateKeys', () => {
  it('finds a key repeated at the top level and names it', () => {
    expect(findDuplicateKeys('{"w": 1, "b": 2, "w": 3}')).toEqual([{ path: '', key: 'w' }]);
  });

  it('compares keys after decoding escapes, so \\u0077 repeats "w"', () => {
    expect(findDuplicateKeys('{"w": 1, "\\u0077": 2}')).toEqual([{ path: '', key: 'w' }]);
  });

  it('finds repeats inside nested objects and gives their path', () => {
    const text = '{"t": {"dtype": "F32", "data_offsets": [0, 4], "data_offsets": [4, 8]}}';
    expect(findDuplicateKeys(text)).toEqual([{ path: 't', key: 'data_offsets' }]);
  });

  it('does not confuse string values, escaped quotes, arrays or sibling objects with keys', () => {
    const text =
      '{"a": "w", "w": ["a", {"a": 1}], "s": "x\\"y, \\"w\\": 1", "o": {"a": 1}, "p": {"a": 2}}';
    expect(findDuplicateKeys(text)).toEqual([]);
  });
});
