import type { Severity } from '../../core/index.js';
import type { ScanContext } from '../scan-context.js';

/**
 * TorchScript archives carry their model as source code (`code/**.py`) that torch.jit.load
 * compiles and runs in the TorchScript interpreter. That language only reaches `torch.*`
 * builtins, `ops.<namespace>.<op>` operators, `__torch__.*` classes of the archive and a few
 * intrinsics (annotate, uninitialized, CONSTANTS...). So the code of a genuine archive never
 * names `os`, `subprocess`, `builtins.exec` or `__import__`: such a name means a hand-edited
 * archive (aimed at a loader that runs the code as Python, or at a future resolver). The
 * real TorchScript risks are operators from a custom namespace, custom classes (both need a
 * native library, whose registration runs code) and file-touching operators.
 */

/** Roots the TorchScript source importer resolves (torch/csrc/jit/serialization/import_source.cpp). */
const TS_ROOTS = new Set(['torch', 'ops', '__torch__', 'CONSTANTS', 'self', 'math']);
/** Python builtins on the pickle deny list that TorchScript also supports (getattr with a constant name). */
const TS_BUILTINS = new Set(['print', 'getattr']);
const GETATTR_DUNDER = /\bgetattr\s*\(\s*[\w.]+\s*,\s*(["'])(__\w+__)\1/g;

/** Python statements that TorchScript's printer never emits. */
const PY_STATEMENT =
  /^\s*(?:import\s+(?!__torch__\b)([\w.]+)|from\s+(?!__torch__\b)([\w.]+)\s+import\b|(exec|global|nonlocal)\b)/;

/**
 * Names the file binds itself (assignment and loop targets, parameters, class members): the
 * printer keeps Python's local names, so a tensor called `signal` or `code` is not a module.
 */
function boundNames(code: string): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /^[ \t]*([\w, \t]+?)[ \t]*(?::[^=\n]*)?=(?!=)/gm,
    /^[ \t]*for[ \t]+([\w, \t]+?)[ \t]+in\b/gm,
    /[(,][ \t\n]*(\w+)[ \t]*:/g,
  ];
  for (const re of patterns)
    for (const m of code.matchAll(re)) for (const n of (m[1] ?? '').split(',')) names.add(n.trim());
  return names;
}

interface Hit {
  severity: Severity;
  rule: string;
  what: string;
}

/** Analyses one `code/**.py` member of a TorchScript archive. */
export function scanTorchScriptSource(ctx: ScanContext, text: string): void {
  const code = blankStringsAndComments(text);
  const locals = boundNames(code);
  const lines = code.split('\n');
  const seen: Seen = new Map();
  for (let i = 0; i < lines.length; i++) {
    if (i % 2048 === 0) ctx.checkTime();
    const line = lines[i] ?? '';
    const hits = [...statementHits(line), ...nameHits(ctx, line, locals, seen)];
    for (const [name, h] of hits)
      ctx.add(h.severity, h.rule, `line ${i + 1}: ${h.what}`, { op: name });
  }
  for (const m of text.matchAll(GETATTR_DUNDER)) {
    const what = `getattr reaches the Python attribute ${m[2]}`;
    ctx.add('critical', 'torchscript.python-code', what, { op: 'getattr' });
  }
}

function statementHits(line: string): [string, Hit][] {
  const m = PY_STATEMENT.exec(line);
  if (m === null) return [];
  const what =
    m[1] !== undefined || m[2] !== undefined
      ? `imports the Python module ${m[1] ?? m[2]}`
      : `uses the Python statement "${m[3]}"`;
  const name = m[1] ?? m[2] ?? m[3] ?? '';
  return [[name, crit('torchscript.python-code', `${what}, which TorchScript cannot express`)]];
}

const NAME = /(?<![\w.])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)(\s*\()?/g;

/** Verdicts per `name(` / `name` already classified in this file (generated code repeats names). */
type Seen = Map<string, Hit | null>;

function nameHits(
  ctx: ScanContext,
  line: string,
  locals: Set<string>,
  seen: Seen,
): [string, Hit][] {
  const hits: [string, Hit][] = [];
  for (const m of line.matchAll(NAME)) {
    const raw = m[1] ?? '';
    const name = raw.includes(' ') || raw.includes('\t') ? raw.replace(/\s+/g, '') : raw;
    const called = m[2] !== undefined;
    const key = called ? `${name}(` : name;
    let hit = seen.get(key);
    if (hit === undefined) {
      hit = classifyName(ctx, name, called, locals) ?? null;
      seen.set(key, hit);
    }
    if (hit !== null) hits.push([name, hit]);
  }
  return hits;
}

/** `ops.aten.x`, `torch.ops.aten.x` and `torch.x` name the same operator. */
function canonical(name: string): string {
  if (name.startsWith('ops.')) return `torch.${name}`;
  if (name.startsWith('__torch__.torch.classes.')) return name.slice('__torch__.'.length);
  return name;
}

function classifyName(
  ctx: ScanContext,
  raw: string,
  called: boolean,
  locals: Set<string>,
): Hit | undefined {
  const ts = ctx.policy.torchscript;
  const pk = ctx.policy.pickle;
  const name = canonical(raw);
  const segments = name.split('.');
  const root = segments[0] ?? '';
  const matches = (entry: string) => name === entry || name.startsWith(`${entry}.`);
  const dunder = segments
    .slice(1)
    .find((s) => /^__\w+__$/.test(s) && s !== '__init__' && pk.dangerousNames.includes(s));
  if (dunder !== undefined)
    return crit('torchscript.python-code', `reaches the Python attribute ${dunder} (${raw})`);
  const module = (root === 'torch' ? segments.slice(1) : []).find((s) =>
    pk.dangerousModules.includes(s),
  );
  if (module !== undefined)
    return crit('torchscript.python-code', `reaches the Python module ${module} through ${raw}`);
  if (ts.dangerousCalls.some(matches))
    return crit(
      'torchscript.dangerous-op',
      `calls ${raw}, which loads native code or touches files`,
    );
  if (root === 'torch' && segments[1] === 'ops' && segments.length >= 4)
    return namespaceHit(
      ts.knownOpNamespaces,
      segments[2] ?? '',
      raw,
      'torchscript.custom-op',
      'operator',
    );
  if (root === 'torch' && segments[1] === 'classes' && segments.length >= 4)
    return namespaceHit(
      ts.knownClassNamespaces,
      segments[2] ?? '',
      raw,
      'torchscript.custom-class',
      'class',
    );
  if (TS_ROOTS.has(root) || locals.has(root)) return undefined;
  const dotted = segments.length > 1;
  if ((dotted || called) && (pk.deny.some(matches) || pk.dangerousModules.includes(root)))
    return crit(
      'torchscript.python-code',
      `names the Python callable ${raw}, which TorchScript cannot express`,
    );
  if (called && !dotted && !TS_BUILTINS.has(root) && pk.deny.includes(`builtins.${root}`))
    return crit(
      'torchscript.python-code',
      `calls the Python builtin ${raw}(), which TorchScript cannot express`,
    );
  return undefined;
}

function crit(rule: string, what: string): Hit {
  return { severity: 'critical', rule, what };
}

function namespaceHit(
  known: string[],
  ns: string,
  raw: string,
  rule: string,
  kind: string,
): Hit | undefined {
  if (known.includes(ns)) return undefined;
  return {
    severity: 'medium',
    rule,
    what: `uses the custom ${kind} ${raw}: namespace "${ns}" comes from a native library that must be loaded first`,
  };
}

const SPECIAL = /[#"']/g;

/**
 * Replaces string literals by `""` and drops comments (keeping newlines), so names inside an
 * error message such as "builtins.RuntimeError" are not read as code.
 */
export function blankStringsAndComments(text: string): string {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] ?? '';
    if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < n && !text.startsWith(quote, j) && (triple || text[j] !== '\n'))
        j += text[j] === '\\' ? 2 : 1;
      const end = Math.min(n, j + quote.length);
      out.push('""', text.slice(i, end).replace(/[^\n]/g, ''));
      i = end;
    } else {
      SPECIAL.lastIndex = i;
      const end = SPECIAL.exec(text)?.index ?? n;
      out.push(text.slice(i, end));
      i = end;
    }
  }
  return out.join('');
}
