import { parse, tokenize } from '@huggingface/jinja';
import type { Severity } from '../../core/index.js';

/** One thing a chat template does that a sandboxed Jinja template must not. */
export interface TemplateFinding {
  severity: Severity;
  rule: string;
  message: string;
}

/** A node of @huggingface/jinja's AST, read generically: `type` plus its fields. */
type Node = { type: string } & Record<string, unknown>;

// Jinja's globals whose own attributes lead to Python functions (`cycler.__init__.__globals__`,
// `lipsum.__globals__`, `self._TemplateReference__context`): no chat template reads them.
const GLOBAL_OBJECTS = new Set([
  'cycler',
  'joiner',
  'namespace',
  'lipsum',
  'range',
  'dict',
  'self',
  'config',
  'request',
  'url_for',
  'get_flashed_messages',
]);
// Attribute names that only matter once the sandbox is gone: process and import primitives.
const ESCAPE_NAMES = new Set([
  'os',
  'popen',
  'subprocess',
  'check_output',
  'import_module',
  'builtins',
  'eval',
  'exec',
  'getattr',
  'mro',
]);
// Python builtins a template could only call after an escape (Jinja defines none of them).
const ESCAPE_CALLS = new Set(['eval', 'exec', 'getattr', 'compile', 'open']);
const isDunder = (name: string) => name.length > 4 && name.startsWith('__') && name.endsWith('__');

const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/**
 * Judges a Jinja chat template on its syntax tree (CVE-2024-34359 and its variants): attribute
 * access to dunder or private names, however the name is built (literal, `~` / `+` joins,
 * `|format` with `%c`, `|join`, `|replace`, `|reverse`, slices, escapes, `{% set %}` constants);
 * `|attr()` with a name that is not a constant; attributes of Jinja's globals (`cycler`,
 * `joiner`, `namespace`, `lipsum`, `self`…); process or import names. A template the parser
 * cannot read is judged on its tokens and is suspicious at least.
 */
export function judgeTemplate(template: string): TemplateFinding[] {
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(template, { lstrip_blocks: true, trim_blocks: true });
  } catch (error) {
    return [unparsed(error)];
  }
  let program: Node;
  try {
    program = parse(tokens) as unknown as Node;
  } catch (error) {
    // What the lexer read is still exact: a dunder name among the tokens is an escape attempt.
    const dunder = tokens.find(
      (t: { type: string; value: string }) =>
        (t.type === 'Identifier' || t.type === 'StringLiteral') && isDunder(t.value),
    );
    if (dunder) return [dunderFinding(dunder.value, 'in a template the parser cannot read')];
    return [unparsed(error)];
  }
  return new TemplateJudge().run(program);
}

const unparsed = (error: unknown): TemplateFinding => ({
  severity: 'medium',
  rule: 'template.unparsed',
  message: `the template cannot be parsed as Jinja, so it is not verified: ${(error as Error).message}`,
});
const dunderFinding = (name: string, how: string): TemplateFinding => ({
  severity: 'critical',
  rule: 'template.dunder-access',
  message: `reads the attribute "${name}" ${how}: the Jinja sandbox escape (CVE-2024-34359)`,
});

class TemplateJudge {
  private readonly findings: TemplateFinding[] = [];
  private readonly seen = new Set<string>();
  /** `{% set name = <constant string> %}`: names that hold a string built in the template. */
  private readonly constants = new Map<string, string>();

  run(program: Node): TemplateFinding[] {
    this.visit(program);
    return this.findings;
  }

  private add(f: TemplateFinding): void {
    const key = `${f.rule}|${f.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push(f);
  }

  private visit(node: Node): void {
    switch (node.type) {
      case 'Set':
        this.onSet(node);
        break;
      case 'MemberExpression':
        this.onMember(node);
        break;
      case 'FilterExpression':
      case 'FilterStatement':
        this.onFilter(node);
        break;
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'Identifier' && ESCAPE_CALLS.has(callee.value as string))
          this.escapeName(callee.value as string);
        break;
      }
    }
    for (const value of Object.values(node)) {
      if (isNode(value)) {
        this.visit(value);
      } else if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) this.visit(v);
      } else if (value instanceof Map) {
        for (const [k, v] of value) {
          if (isNode(k)) this.visit(k);
          if (isNode(v)) this.visit(v);
        }
      }
    }
  }

  private onSet(node: Node): void {
    const assignee = node.assignee as Node;
    if (assignee.type !== 'Identifier' || !isNode(node.value)) return;
    const value = fold(node.value, this.constants);
    if (typeof value === 'string') this.constants.set(assignee.value as string, value);
  }

  private onMember(node: Node): void {
    const object = node.object as Node;
    const property = node.property as Node;
    if (object.type === 'Identifier' && GLOBAL_OBJECTS.has(object.value as string))
      this.add({
        severity: 'high',
        rule: 'template.global-access',
        message: `reads an attribute of the Jinja global "${object.value as string}": a path to Python functions`,
      });
    if (!node.computed) {
      this.attribute(property.value as string, 'directly');
      return;
    }
    const name = fold(property, this.constants);
    if (typeof name === 'string') this.attribute(name, 'by subscript');
    else if (name === null && buildsString(property))
      this.add({
        severity: 'high',
        rule: 'template.computed-attribute',
        message: 'subscripts with a string it builds at render time (an obfuscated attribute name)',
      });
  }

  private onFilter(node: Node): void {
    const filter = node.filter as Node;
    const call = filter.type === 'CallExpression' ? filter : null;
    const name = ((call ? (call.callee as Node) : filter).value ?? '') as string;
    const args = (call?.args ?? []) as Node[];
    // `attr(name)`, and `map('attr', name)` / `map(attribute=name)` applied to each item.
    let target: Node | undefined;
    if (name === 'attr') target = args[0];
    if (name === 'map' || name === 'selectattr' || name === 'rejectattr') {
      const first = args[0] ? fold(args[0], this.constants) : null;
      if (first === 'attr') target = args[1];
      const kw = args.find((a) => a.type === 'KeywordArgumentExpression');
      if (kw && (kw.key as Node).value === 'attribute') target = kw.value as Node;
      if (name !== 'map' && args[0]) target = args[0];
    }
    if (!target) return;
    const attr = fold(target, this.constants);
    if (typeof attr === 'string') this.attribute(attr, `through |${name}`);
    else
      this.add({
        severity: 'critical',
        rule: 'template.computed-attribute',
        message: `|${name} reads an attribute whose name is not a constant (an obfuscated attribute name)`,
      });
  }

  private attribute(name: string, how: string): void {
    if (isDunder(name)) this.add(dunderFinding(name, how));
    else if (name.startsWith('_'))
      this.add({
        severity: 'high',
        rule: 'template.private-access',
        message: `reads the private attribute "${name}" ${how}, which Jinja's sandbox refuses`,
      });
    else if (ESCAPE_NAMES.has(name)) this.escapeName(name);
  }

  private escapeName(name: string): void {
    this.add({
      severity: 'high',
      rule: 'template.escape-name',
      message: `names "${name}", a process or import primitive no chat template needs`,
    });
  }
}

/** Whether an expression glues strings together (as opposed to a plain index such as `i + 1`). */
function buildsString(node: Node): boolean {
  if (node.type === 'StringLiteral') return true;
  if (node.type === 'FilterExpression' || node.type === 'CallExpression') return true;
  if (node.type === 'BinaryExpression')
    return (
      (node.operator as { value: string }).value === '~' ||
      buildsString(node.left as Node) ||
      buildsString(node.right as Node)
    );
  return false;
}

type Folded = string | number | string[] | null;

/** The constant value of an expression built from literals, as Jinja would compute it; null if not constant. */
export function fold(node: Node, constants: ReadonlyMap<string, string>): Folded {
  switch (node.type) {
    case 'StringLiteral':
    case 'IntegerLiteral':
      return node.value as string | number;
    case 'Identifier':
      return constants.get(node.value as string) ?? null;
    case 'ArrayLiteral':
    case 'TupleLiteral': {
      const items = (node.value as Node[]).map((n) => fold(n, constants));
      return items.every((i) => typeof i === 'string' || typeof i === 'number')
        ? items.map(String)
        : null;
    }
    case 'BinaryExpression': {
      const op = (node.operator as { value: string }).value;
      const l = fold(node.left as Node, constants);
      const r = fold(node.right as Node, constants);
      if (l === null || r === null || Array.isArray(l) || Array.isArray(r)) return null;
      if (op === '~') return `${l}${r}`;
      if (op === '+') return typeof l === 'number' && typeof r === 'number' ? l + r : `${l}${r}`;
      if (op === '*' && typeof l === 'string' && typeof r === 'number') return l.repeat(r);
      return null;
    }
    case 'MemberExpression':
      return foldSlice(node, constants);
    case 'CallExpression':
      return foldCall(node, constants);
    case 'FilterExpression':
      return foldFilter(node, constants);
  }
  return null;
}

function foldSlice(node: Node, constants: ReadonlyMap<string, string>): Folded {
  const property = node.property as Node;
  if (property.type !== 'SliceExpression') return null;
  const s = fold(node.object as Node, constants);
  if (typeof s !== 'string') return null;
  const step = property.step ? fold(property.step as Node, constants) : 1;
  if (property.start || property.stop) return null;
  return step === -1 ? [...s].reverse().join('') : step === 1 ? s : null;
}

function foldCall(node: Node, constants: ReadonlyMap<string, string>): Folded {
  const callee = node.callee as Node;
  const args = node.args as Node[];
  // dict(__cla=1, ss__=1): its keys, which `|join` glues into a name.
  if (callee.type === 'Identifier' && callee.value === 'dict')
    return args.every((a) => a.type === 'KeywordArgumentExpression')
      ? args.map((a) => (a.key as Node).value as string)
      : null;
  if (callee.type === 'MemberExpression' && !callee.computed) {
    const method = (callee.property as Node).value as string;
    const self = fold(callee.object as Node, constants);
    const arg = args[0] ? fold(args[0], constants) : null;
    if (method === 'join' && typeof self === 'string' && Array.isArray(arg)) return arg.join(self);
    if (typeof self === 'string' && method === 'lower') return self.toLowerCase();
    if (typeof self === 'string' && method === 'upper') return self.toUpperCase();
    if (typeof self === 'string' && method === 'format') return pyFormat(self, args, constants);
  }
  return null;
}

function foldFilter(node: Node, constants: ReadonlyMap<string, string>): Folded {
  const value = fold(node.operand as Node, constants);
  const filter = node.filter as Node;
  const call = filter.type === 'CallExpression' ? filter : null;
  const name = ((call ? (call.callee as Node) : filter).value ?? '') as string;
  const args = (call?.args ?? []) as Node[];
  if (value === null) return null;
  const text = Array.isArray(value) ? null : String(value);
  switch (name) {
    case 'join': {
      const sep = args[0] ? fold(args[0], constants) : '';
      const items = Array.isArray(value) ? value : text !== null ? [...text] : null;
      return items && typeof sep === 'string' ? items.join(sep) : null;
    }
    case 'list':
      return Array.isArray(value) ? value : text !== null ? [...text] : null;
    case 'first':
      return Array.isArray(value) ? (value[0] ?? null) : (text?.[0] ?? null);
    case 'last':
      return Array.isArray(value) ? (value.at(-1) ?? null) : (text?.at(-1) ?? null);
    case 'string':
      return text;
    case 'lower':
      return text?.toLowerCase() ?? null;
    case 'upper':
      return text?.toUpperCase() ?? null;
    case 'reverse':
      return Array.isArray(value) ? [...value].reverse() : [...(text ?? '')].reverse().join('');
    case 'replace': {
      const [a, b] = args.map((x) => fold(x, constants));
      return text !== null && typeof a === 'string' && typeof b === 'string'
        ? text.split(a).join(b)
        : null;
    }
    case 'format':
      return text === null ? null : pyFormat(text, args, constants);
  }
  return null;
}

/** Python's `%` formatting for %s, %c, %d, %x (what `|format` does), or `{}` for str.format. */
function pyFormat(pattern: string, args: Node[], constants: ReadonlyMap<string, string>): Folded {
  const values = args.map((a) => fold(a, constants));
  if (values.some((v) => v === null || Array.isArray(v))) return null;
  let i = 0;
  let failed = false;
  const out = pattern
    .replace(/%([scdx%])/g, (_, c: string) => {
      if (c === '%') return '%';
      const v = values[i++];
      if (v === undefined) return ((failed = true), '');
      if (c === 'c') return typeof v === 'number' ? String.fromCodePoint(v) : String(v);
      if (c === 'x') return typeof v === 'number' ? v.toString(16) : ((failed = true), '');
      return String(v);
    })
    .replace(/\{\}/g, () => String(values[i++] ?? ''));
  return failed ? null : out;
}
