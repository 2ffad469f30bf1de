import { describe, expect, it } from 'vitest';
import { renderCsv } from './csv.js';
import { escapeControl, safeJson } from './escape.js';
import { escapeTerminal } from '../terminal-text.js';
import { formatFrom } from './format.js';
import { colourEnabled, paint } from './style.js';
import { headerFor, renderTable } from './table.js';

describe('the CLI output layer', () => {
  it('splits camelCase headers so they never run together', () => {
    expect(headerFor('modelVersion')).toBe('MODEL_VERSION');
    expect(headerFor('ttcMs')).toBe('TTC_MS');
    expect(headerFor('id')).toBe('ID');
  });

  it('fits a table into the width by truncating the widest column with an ellipsis', () => {
    const rows = [{ id: 'act_1', reason: 'x'.repeat(200), actor: 'cli:ops' }];
    const lines = renderTable(rows, ['id', 'reason', 'actor'], { width: 60 });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[1]).toContain('…');
    expect(lines[1]).toContain('cli:ops');
    expect(renderTable(rows, ['id', 'reason', 'actor'])[1]!.length).toBeGreaterThan(200);
  });

  it('escapes control characters and bidi overrides from records', () => {
    expect(escapeControl('a\u001b[31mred\nb\u202e')).toBe('a\\u001b[31mred\\nb\\u202e');
    const [, row] = renderTable([{ title: 'evil\u001b]0;pwned\u0007' }], ['title']);
    expect([...row!].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(JSON.parse(safeJson({ t: '\u009b2J\u202e' }))).toEqual({ t: '\u009b2J\u202e' });
    expect(safeJson({ t: '\u009b' })).toBe('{"t":"\\u009b"}');
    expect(JSON.parse(safeJson({ a: 'x\ny' }, 2))).toEqual({ a: 'x\ny' });
  });

  it('escapes one set of characters whichever way the CLI prints (cell, text, JSON)', () => {
    // Arabic letter mark and the left/right-to-left marks reorder text too.
    for (const c of ['\u001b', '\u009b', '\u061c', '\u200e', '\u200f', '\u202e', '\u2066']) {
      const shown = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      expect(escapeControl(`a${c}b`), shown).toBe(`a${shown}b`);
      expect(escapeTerminal(`a${c}b`), shown).toBe(`a${shown}b`);
      if (c.charCodeAt(0) >= 0x7f) expect(safeJson(`a${c}b`), shown).toBe(`"a${shown}b"`);
    }
    // Whole text keeps its own layout; one value on one line does not.
    expect(escapeTerminal('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeControl('a\tb\nc')).toBe('a\\tb\\nc');
  });

  it('writes RFC 4180 CSV and defuses spreadsheet formulas but not negative numbers', () => {
    const lines = renderCsv(
      [{ a: 'x,y', b: 'say "hi"', c: '=cmd()', d: -1.5, e: '-2', f: ['p', 'q'] }],
      ['a', 'b', 'c', 'd', 'e', 'f'],
    );
    expect(lines).toEqual(['A,B,C,D,E,F', `"x,y","say ""hi""",'=cmd(),-1.5,-2,p;q`]);
  });

  it('colours only a TTY and never when NO_COLOR is set', () => {
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(paint('x', 'red', false)).toBe('x');
    expect(paint('x', 'red', true)).toBe('\u001b[31mx\u001b[39m');
  });

  it('takes the older --json as --format json and refuses a contradiction', () => {
    expect(formatFrom({ format: 'table', json: true })).toBe('json');
    expect(formatFrom({ format: 'csv' })).toBe('csv');
    expect(() => formatFrom({ format: 'csv', json: true })).toThrow(/contradicts/);
  });
});
