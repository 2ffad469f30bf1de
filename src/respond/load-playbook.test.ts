import { describe, expect, it } from 'vitest';
import { loadPlaybookText, parsePlaybook } from './load-playbook.js';

describe('parsePlaybook', () => {
  it('reports every problem with its line', () => {
    const r = parsePlaybook(
      [
        'id: Bad Id',
        'name: x',
        'trigger: { kinds: [] }',
        'steps:',
        '  - id: a',
        '    kind: contain',
        '    action: { kind: rate_limit, keyId: k, ratePerSecond: -1, burst: 1 }',
        '  - id: a',
        '    kind: teleport',
        '  - id: w',
        '    kind: wait',
        '    until: { task_done: nope }',
        '    timeout: 5 minutes',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map((p) => `${p.line}:${p.path}`);
    expect(lines).toContain('1:id');
    expect(lines).toContain('3:trigger.kinds');
    expect(lines).toContain('7:steps.0.action.ratePerSecond');
    expect(lines).toContain('9:steps.1.kind');
    expect(lines).toContain('13:steps.2.timeout');
  });

  it('reports schema problems and unknown names in one run, each with the nearest name', () => {
    const r = parsePlaybook(
      [
        'id: typos',
        'name: x',
        'trigger:',
        '  kinds: [extration]',
        "  detectors: ['extracton.network.*']",
        'steps:',
        '  - id: a',
        '    kind: contian',
        '  - id: a',
        '    kind: notify',
        '    webhook: soc',
        "    text: 'key {{alert.keyid}} on {{incdent.model}}'",
        '  - id: c',
        '    kind: wait',
        '    until: { task_done: nope }',
        '    timeout: 10m',
        '    bogus: 1',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '4 trigger.kinds.0: unknown alert kind "extration"; did you mean "extraction"?',
        '5 trigger.detectors.0: unknown detector "extracton"; did you mean "extraction"?',
        '8 steps.0.kind: unknown step kind "contian"; did you mean "contain"?',
        '9 steps.1.id: duplicate step id "a" (also step 0)',
        '12 steps.1.text: unknown alert field "keyid" in {{alert.keyid}}; did you mean "keyId"?',
        '12 steps.1.text: unknown template root "incdent" in {{incdent.model}}; did you mean "incident"?',
        '15 steps.2.until.task_done: must name a task step before this one',
      ]),
    );
    expect(lines.some((l) => l.includes('bogus'))).toBe(true);
  });

  it('passes a known kind, detector prefix and template', () => {
    const r = parsePlaybook(
      [
        'id: fine',
        'name: x',
        "trigger: { kinds: [extraction], detectors: ['extraction.network.*'] }",
        'steps:',
        '  - id: n',
        '    kind: notify',
        '    webhook: soc',
        "    text: '{{incident.id}} {{alert.keyId}} {{alert.evidence.queries}}'",
      ].join('\n'),
    );
    expect(r).toMatchObject({ ok: true });
  });

  it('reports a YAML syntax error with its line', () => {
    const r = parsePlaybook('id: x\nname: [unclosed\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('refuses duplicate step ids and unknown webhooks', () => {
    const text = [
      'id: x',
      'name: x',
      'trigger: { kinds: [evasion] }',
      'steps:',
      '  - { id: a, kind: task, title: t }',
      '  - { id: a, kind: notify, webhook: pager, text: hi }',
    ].join('\n');
    expect(() => loadPlaybookText(text, 'x.yaml', ['slack'])).toThrowError(
      /x\.yaml:6:.*duplicate step id[\s\S]*no webhook "pager"/,
    );
  });

  it('refuses hostile input cleanly', () => {
    expect(parsePlaybook('a: &a [*a, *a]\n').ok).toBe(false);
    expect(parsePlaybook('x'.repeat(300_000)).ok).toBe(false);
    expect(parsePlaybook('').ok).toBe(false);
  });
});
