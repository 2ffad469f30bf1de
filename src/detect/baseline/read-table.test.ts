import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseParquet } from './read-parquet.js';
import { columnIndex, formatFromPath, parseCsv, parseJsonLines } from './read-table.js';

describe('reading tables', () => {
  it('reads quoted CSV fields, CRLF line ends and a byte-order mark', () => {
    const t = parseCsv('\ufeffa,"b ""q"""\r\n1,"x,y"\r\n2,"multi\nline"\r\n');
    expect(t.columns).toEqual(['a', 'b "q"']);
    expect(t.data).toEqual([
      [1, 2],
      ['x,y', 'multi\nline'],
    ]);
  });

  it('reads missing spellings, NaN and infinities as defined', () => {
    const t = parseCsv('v\n\nNA\nnan\nnull\ninf\n-Infinity\n1e3\n');
    expect(t.data[0]).toEqual([null, null, null, Infinity, -Infinity, 1000]);
  });

  it('rejects ragged records, duplicate columns and unterminated quotes with their position', () => {
    expect(() => parseCsv('a,b\n1\n')).toThrow(
      expect.objectContaining({
        code: 'DETECT_TABLE_INVALID',
        message: expect.stringContaining('record 1'),
      }),
    );
    expect(() => parseCsv('a,a\n1,2\n')).toThrow(/duplicate column "a"/);
    expect(() => parseCsv('a\n"1\n')).toThrow(/unterminated/);
    expect(() => parseCsv('')).toThrow(/no header/);
  });

  it('reads JSON Lines with absent keys as missing and refuses nested values', () => {
    const t = parseJsonLines('{"a":1,"b":"x"}\n\n{"a":null}\n{"b":true,"a":"2.5"}\n');
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.data).toEqual([
      [1, null, 2.5],
      ['x', null, 'true'],
    ]);
    expect(() => parseJsonLines('{"a":[1]}')).toThrow(/line 1, field "a" is an array/);
    expect(() => parseJsonLines('{"a":1}\nnope')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('line 2') }),
    );
    expect(() => parseJsonLines('[1,2]')).toThrow(/not an object/);
  });

  it('picks formats from file names and names missing columns', () => {
    expect(formatFromPath('x.CSV')).toBe('csv');
    expect(formatFromPath('x.ndjson')).toBe('jsonl');
    expect(formatFromPath('x.parquet')).toBe('parquet');
    expect(() => formatFromPath('x.xlsx')).toThrow(
      expect.objectContaining({ code: 'DETECT_FORMAT_UNSUPPORTED' }),
    );
    expect(() => columnIndex(parseCsv('a\n1\n'), 'label')).toThrow(
      expect.objectContaining({ code: 'DETECT_COLUMN_MISSING' }),
    );
  });
});

describe('reading Parquet', () => {
  it('reads doubles, 64-bit integers, strings and booleans with nulls as missing', async () => {
    const bytes = readFileSync(
      new URL('../../../test/fixtures/drift/small.parquet', import.meta.url),
    );
    const t = await parseParquet(bytes);
    expect(t.columns).toEqual(['score', 'count', 'small', 'colour', 'flag']);
    expect(t.rowCount).toBe(5);
    expect(t.data[0]).toEqual([1.5, null, 3, -0.25, Infinity]);
    expect(t.data[1]).toEqual([1, 2, 3, 4, 5]);
    expect(t.data[3]).toEqual(['red', 'blue', null, 'red', 'green']);
    expect(t.data[4]).toEqual(['true', 'false', 'true', null, 'false']);
  });

  it('refuses bytes that are not Parquet with a stable code', async () => {
    await expect(parseParquet(new TextEncoder().encode('a,b\n1,2\n'))).rejects.toMatchObject({
      code: 'DETECT_TABLE_INVALID',
    });
  });
});
