import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { respondError, RespondErrorCodes } from './errors.js';
import { lintPlaybook } from './playbook-lint.js';
import { PlaybookSchema, type Playbook } from './playbook-schema.js';

/** One problem in a playbook file, with where it is. */
export interface PlaybookProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export type PlaybookLoadResult =
  { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

const MAX_BYTES = 256 * 1024;

function position(doc: Document, counter: LineCounter, path: (string | number)[]) {
  // Walk up to the deepest node that exists: a missing key is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/**
 * Parses and validates a playbook's YAML, reporting every problem with its line and column
 * (YAML syntax errors, schema violations, duplicate step ids, dangling references).
 */
export function parsePlaybook(text: string, webhooks?: readonly string[]): PlaybookLoadResult {
  if (text.length > MAX_BYTES)
    return {
      ok: false,
      problems: [{ line: 1, column: 1, path: '', message: `larger than ${MAX_BYTES} bytes` }],
    };
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! };
      }),
    };
  }
  const at = (path: (string | number)[], message: string): PlaybookProblem => {
    const pos = position(doc, counter, path);
    return { line: pos.line, column: pos.col, path: path.join('.'), message };
  };
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  // Names are checked on the raw value, so one run reports them along with schema problems.
  const lint = lintPlaybook(raw);
  const linted = new Set(lint.map((p) => p.path.join('.')));
  const parsed = PlaybookSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = [
      ...parsed.error.issues
        .filter((i) => !linted.has(i.path.join('.')))
        .map((i) => at(i.path as (string | number)[], i.message)),
      ...lint.map((p) => at(p.path, p.message)),
    ];
    return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  const problems = lint.map((p) => at(p.path, p.message));
  parsed.data.steps.forEach((step, i) => {
    if (step.kind === 'notify' && webhooks && !webhooks.includes(step.webhook))
      problems.push(at(['steps', i, 'webhook'], `no webhook "${step.webhook}" is configured`));
    if (step.kind === 'freeze_pipeline' && webhooks && !webhooks.includes(step.hook))
      problems.push(at(['steps', i, 'hook'], `no webhook "${step.hook}" is configured`));
    if (step.kind === 'approval' && step.notify && webhooks && !webhooks.includes(step.notify))
      problems.push(at(['steps', i, 'notify'], `no webhook "${step.notify}" is configured`));
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, playbook: parsed.data };
}

/** Formats problems as `file:line:column path: message` lines. */
export function formatProblems(file: string, problems: readonly PlaybookProblem[]): string {
  return problems
    .map((p) => `${file}:${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`)
    .join('\n');
}

/** Parses a playbook or throws RESPOND_PLAYBOOK_INVALID naming every problem and its line. */
export function loadPlaybookText(
  text: string,
  file: string,
  webhooks?: readonly string[],
): Playbook {
  const result = parsePlaybook(text, webhooks);
  if (result.ok) return result.playbook;
  throw respondError(
    RespondErrorCodes.RESPOND_PLAYBOOK_INVALID,
    `${file} is not a valid playbook:\n${formatProblems(file, result.problems)}`,
    {
      details: result.problems,
    },
  );
}

/** Loads every *.yaml / *.yml in a folder; all files' problems are reported together. */
export async function loadPlaybookDir(
  dir: string,
  webhooks?: readonly string[],
): Promise<Playbook[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const playbooks: Playbook[] = [];
  const failures: string[] = [];
  const details: unknown[] = [];
  for (const file of files) {
    const result = parsePlaybook(await readFile(join(dir, file), 'utf8'), webhooks);
    if (result.ok) playbooks.push(result.playbook);
    else {
      failures.push(formatProblems(join(dir, file), result.problems));
      details.push({ file, problems: result.problems });
    }
  }
  const ids = new Set<string>();
  for (const p of playbooks) {
    if (ids.has(p.id)) failures.push(`${dir}: two playbooks have the id "${p.id}"`);
    ids.add(p.id);
  }
  if (failures.length > 0)
    throw respondError(
      RespondErrorCodes.RESPOND_PLAYBOOK_INVALID,
      `invalid playbooks:\n${failures.join('\n')}`,
      { details },
    );
  return playbooks;
}
