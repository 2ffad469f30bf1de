import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeTemplate } from './formats/jinja-template.js';
import { scan } from './index.js';

// Built by scripts/fixtures/make-template-fixtures.py, which lists each file's expected verdict.
const dir = join(import.meta.dirname, '../../test/fixtures/scan/templates');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { verdict: string; class: string }
>;

describe('chat templates judged on their Jinja syntax tree', () => {
  it.each(Object.entries(expected))('%s is %j', async (file, want) => {
    const result = await scan(join(dir, file));
    expect(result.verdict, JSON.stringify(result.findings)).toBe(want.verdict);
    expect(['chat-template', 'gguf']).toContain(result.format);
  });

  it('flags every injection and no harmless template in the corpus', async () => {
    const tally = { dangerous: 0, detected: 0, harmless: 0, flagged: 0 };
    for (const [file, want] of Object.entries(expected)) {
      const { verdict } = await scan(join(dir, file));
      if (want.verdict === 'malicious') {
        tally.dangerous++;
        if (verdict === 'malicious') tally.detected++;
      } else {
        tally.harmless++;
        if (verdict !== 'safe') tally.flagged++;
      }
    }
    process.stdout.write(`chat templates: ${JSON.stringify(tally)}\n`);
    expect(tally.dangerous).toBeGreaterThanOrEqual(20);
    expect(tally.detected).toBe(tally.dangerous);
    expect(tally.flagged).toBe(0);
  });

  it('names the attribute a built-up name resolves to', () => {
    const cases: [string, string][] = [
      [String.raw`{{ x['\x5f\x5fclass\x5f\x5f'] }}`, '__class__'],
      [`{{ x | attr('%c%c%s%c%c' | format(95, 95, 'class', 95, 95)) }}`, '__class__'],
      [`{% set n = dict(__glo=1, bals__=1) | join %}{{ x | attr(n) }}`, '__globals__'],
      [`{{ x | attr('__' ~ 'init' ~ '__') }}`, '__init__'],
      [`{{ x['__ssalc__'[::-1]] }}`, '__class__'],
      [`{{ x | attr('_'.join(['', '', 'dict', '', ''])) }}`, '__dict__'],
    ];
    for (const [template, name] of cases) {
      const findings = judgeTemplate(template);
      expect(
        findings.map((f) => f.rule),
        template,
      ).toContain('template.dunder-access');
      expect(findings.find((f) => f.rule === 'template.dunder-access')!.message).toContain(
        `"${name}"`,
      );
    }
  });

  it('calls an attr filter with a name it cannot compute an obfuscation', () => {
    const [f] = judgeTemplate('{{ messages | attr(messages[0].content) }}');
    expect(f).toMatchObject({ severity: 'critical', rule: 'template.computed-attribute' });
  });

  it('leaves plain subscripts, loop arithmetic and namespace() objects alone', () => {
    expect(
      judgeTemplate(
        "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{{ messages[loop.index0 + 1]['role'] if not loop.last }}{{ m[key] }}{% endfor %}",
      ),
    ).toEqual([]);
  });

  it('reads a template the parser refuses on its tokens: suspicious, or malicious with a dunder', () => {
    expect(judgeTemplate('{{ ().__class__.__base__ }}')[0]).toMatchObject({
      severity: 'critical',
      rule: 'template.dunder-access',
    });
    expect(judgeTemplate('{% for %}')[0]).toMatchObject({
      severity: 'medium',
      rule: 'template.unparsed',
    });
  });
});
