import { describe, expect, it } from 'vitest';
import { findDuplicateKeys } from './json-duplicate-keys.js';

describe('findDuplicateKeys', () => {
  it('finds a key repeated at the top level and names it', () => {
    expect(findDuplicateKeys('{"w": 1, "b": 2, "w": 3}')).toEqual([{ path: '', key: 'w' }]);
  });

  it('with the parsed root key count, still finds and names a repeated root key', () => {
    const text = '{"w": 1, "b": {"x": 1, "x": 2}, "w": 3}';
    const rootKeys = Object.keys(JSON.parse(text) as object).length;
    expect(findDuplicateKeys(text, { rootKeys })).toEqual([
      { path: 'b', key: 'x' },
      { path: '', key: 'w' },
    ]);
    expect(findDuplicateKeys('{"w": 1, "b": 2}', { rootKeys: 2 })).toEqual([]);
  });

  it('switches large objects to a set and still finds repeats', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}": ${i}`);
    expect(findDuplicateKeys(`{${keys.join(', ')}, "k7": 0}`)).toEqual([{ path: '', key: 'k7' }]);
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
