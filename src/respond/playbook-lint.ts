import { AlertSchema } from '../core/index.js';
import type { Incident } from './incident.js';
import { StepSchema } from './playbook-schema.js';
import { KNOWN_ALERT_KINDS } from './taxonomy.js';

export interface LintProblem {
  path: (string | number)[];
  message: string;
}

/** The first segment of every detector name alerts carry (`extraction.network.prada` → extraction). */
export const DETECTOR_FAMILIES = [
  'drift',
  'performance',
  'extraction',
  'data',
  'registry',
] as const;

export const STEP_KINDS: readonly string[] = StepSchema.options.map((o) => o.shape.kind.value);

// Typed so that a field added to Incident must be added here too (the compiler says so).
const INCIDENT_FIELDS: Record<keyof Incident | 'model' | 'principal', true> = {
  ...{ id: true, title: true, category: true, atlasTechniques: true, owasp: true, assets: true },
  ...{ principals: true, sources: true, kinds: true, alertIds: true, alertCount: true },
  ...{ duplicateCount: true, recent: true, severity: true, impactType: true, confidence: true },
  ...{ dataSensitivity: true, assignee: true, phase: true, phaseTimes: true, firstSeen: true },
  ...{ lastSeen: true, timeToContainMs: true, mergedInto: true, links: true, reopenings: true },
  ...{ createdAt: true, updatedAt: true, model: true, principal: true },
  ...{ subjects: true, disposition: true },
};
const TEMPLATE_FIELDS: Record<string, readonly string[]> = {
  alert: [...Object.keys(AlertSchema.shape), 'keyId'],
  incident: Object.keys(INCIDENT_FIELDS),
};
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Checks a playbook's names against what aisoc knows: trigger kinds and detectors, step kinds,
 * template placeholders, step ids and references. Works on the raw YAML value, so these are
 * reported in the same run as schema problems, each with the nearest known name.
 */
export function lintPlaybook(raw: unknown): LintProblem[] {
  const problems: LintProblem[] = [];
  const doc = record(raw);
  const trigger = record(doc?.trigger);
  list(trigger?.kinds).forEach((kind, i) => {
    if (typeof kind === 'string' && !KNOWN_ALERT_KINDS.includes(kind))
      problems.push(unknown(['trigger', 'kinds', i], 'alert kind', kind, KNOWN_ALERT_KINDS));
  });
  list(trigger?.detectors).forEach((name, i) => {
    if (typeof name !== 'string') return;
    const family = name.replace(/\*$/, '').split('.')[0]!;
    if (family && !(DETECTOR_FAMILIES as readonly string[]).includes(family))
      problems.push(unknown(['trigger', 'detectors', i], 'detector', family, DETECTOR_FAMILIES));
  });
  const steps = list(doc?.steps);
  const ids = new Map<string, number>();
  steps.forEach((s, i) => {
    const step = record(s);
    if (!step) return;
    if (typeof step.kind === 'string' && !STEP_KINDS.includes(step.kind))
      problems.push(unknown(['steps', i, 'kind'], 'step kind', step.kind, STEP_KINDS));
    if (typeof step.id === 'string') {
      if (ids.has(step.id))
        problems.push({
          path: ['steps', i, 'id'],
          message: `duplicate step id "${step.id}" (also step ${ids.get(step.id)})`,
        });
      else ids.set(step.id, i);
    }
    const taskDone = record(step.until)?.task_done;
    if (taskDone !== undefined) {
      const target = steps.findIndex((t) => record(t)?.id === taskDone);
      if (target < 0 || target >= i || record(steps[target])?.kind !== 'task')
        problems.push({
          path: ['steps', i, 'until', 'task_done'],
          message: 'must name a task step before this one',
        });
    }
    templates(step, ['steps', i], problems);
  });
  return problems;
}

function templates(value: unknown, path: (string | number)[], out: LintProblem[]): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PLACEHOLDER)) {
      const [root, field] = m[1]!.split('.');
      const fields = TEMPLATE_FIELDS[root ?? ''];
      if (!fields)
        out.push(unknown(path, 'template root', root ?? '', Object.keys(TEMPLATE_FIELDS), m[0]));
      else if (!field || !fields.includes(field))
        out.push(unknown(path, `${root} field`, field ?? '', fields, m[0]));
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => templates(v, [...path, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) templates(v, [...path, k], out);
}

function unknown(
  path: (string | number)[],
  what: string,
  name: string,
  known: readonly string[],
  inText?: string,
): LintProblem {
  const near = nearest(name, known);
  const where = inText ? ` in ${inText}` : '';
  const hint = near ? `; did you mean "${near}"?` : ` (known: ${known.join(', ')})`;
  return { path, message: `unknown ${what} "${name}"${where}${hint}` };
}

/** The known name closest to `name` by edit distance, when close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length]!;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
