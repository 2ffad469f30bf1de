/** Python 2 module names that Python 3's unpickler maps (fix_imports), so the policy sees one name. */
const PY2_MODULES: Record<string, string> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  cPickle: 'pickle',
  exceptions: 'builtins',
  UserDict: 'collections',
  urllib2: 'urllib.request',
  commands: 'subprocess',
};

export function normaliseModule(module: string): string {
  return PY2_MODULES[module] ?? module;
}

/** Decodes the quoted repr of a protocol-0 STRING argument (enough for names and evidence). */
export function decodeReprString(raw: string): string {
  const q = raw[0];
  const body =
    (q === "'" || q === '"') && raw.endsWith(q) && raw.length >= 2 ? raw.slice(1, -1) : raw;
  return unescapePython(body);
}

/** raw-unicode-escape / string-escape, minimal: \xNN, \uNNNN, \n, \t, \\ and quotes. */
export function unescapePython(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
    const c = e[0];
    if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (c === 'n') return '\n';
    if (c === 't') return '\t';
    if (c === 'r') return '\r';
    return e;
  });
}
