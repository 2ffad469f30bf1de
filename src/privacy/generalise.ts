import type { FieldRule } from '../config/index.js';

type Generalise = Extract<FieldRule, { policy: 'generalise' }>;

/** Floors a number to a multiple of `step` without binary noise (47 → 40, 0.37 → 0.3). */
function floorTo(value: number, step: number): number {
  return Number((Math.floor(value / step) * step).toPrecision(12));
}

/**
 * The coarser value a `generalise` rule records: numbers bucketed or rounded, ISO dates
 * truncated, ZIP codes cut to their first digits (the rest become `*`). Anything the rule
 * cannot read (a date rule on a non-date) becomes null rather than leaking through.
 */
export function generalise(rule: Generalise, value: unknown): number | string | null {
  if (rule.step !== undefined || rule.digits !== undefined) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) return null;
    return rule.step !== undefined ? floorTo(n, rule.step) : Number(n.toFixed(rule.digits));
  }
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (rule.date !== undefined) {
    const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(text);
    if (!m) return null;
    if (rule.date === 'year') return m[1]!;
    if (rule.date === 'month') return m[2] ? `${m[1]}-${m[2]}` : m[1]!;
    return m[3] ? `${m[1]}-${m[2]}-${m[3]}` : m[2] ? `${m[1]}-${m[2]}` : m[1]!;
  }
  const digits = rule.zipDigits ?? 0;
  const zip = text.replace(/\s+/g, '');
  if (zip.length === 0) return null;
  return zip.slice(0, digits) + '*'.repeat(Math.max(0, zip.length - digits));
}
