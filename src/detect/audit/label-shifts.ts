// Label drift (chi-square on the label counts) and label-conditional feature shifts (KS per
// label and feature between the trusted rows and the candidate rows, BH-corrected).
import { type Cell, columnIndex, type DataTable } from '../baseline/read-table.js';
import type { DriftRule } from '../drift/compare-to-baseline.js';
import { adjustPValues, chiSquareContingency, ksTwoSample } from '../stats/index.js';

export interface ConditionalShift {
  label: string;
  feature: string;
  statistic: number;
  pValue: number;
  adjustedPValue: number;
}

export interface LabelDrift {
  statistic: number;
  pValue: number;
  baseline: Record<string, number>;
  candidate: Record<string, number>;
}

export function labelCounts(labels: (string | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) if (l !== null) out[l] = (out[l] ?? 0) + 1;
  return out;
}

export function labelDrift(base: (string | null)[], cand: (string | null)[]): LabelDrift | null {
  const b = labelCounts(base);
  const c = labelCounts(cand);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(c)])].sort();
  if (keys.length === 0) return null;
  const chi = chiSquareContingency([keys.map((k) => b[k] ?? 0), keys.map((k) => c[k] ?? 0)]);
  return { statistic: chi.statistic, pValue: chi.pValue, baseline: b, candidate: c };
}

function finiteSorted(col: readonly Cell[], rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  let n = 0;
  for (const r of rows) {
    const v = col[r];
    if (typeof v === 'number' && Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

export function conditionalShifts(
  opts: { baseline: DataTable; candidate: DataTable },
  features: string[],
  bl: (string | null)[],
  cl: (string | null)[],
  rule: DriftRule,
): ConditionalShift[] {
  const tests: Omit<ConditionalShift, 'adjustedPValue'>[] = [];
  for (const label of Object.keys(labelCounts(bl))) {
    const bRows = bl.flatMap((l, r) => (l === label ? [r] : []));
    const cRows = cl.flatMap((l, r) => (l === label ? [r] : []));
    if (bRows.length < rule.minRows || cRows.length < rule.minRows) continue;
    for (const feature of features) {
      const bc = opts.baseline.data[columnIndex(opts.baseline, feature)]!;
      const cc = opts.candidate.data[columnIndex(opts.candidate, feature)]!;
      const a = finiteSorted(bc, bRows);
      const b = finiteSorted(cc, cRows);
      if (a.length < rule.minRows || b.length < rule.minRows) continue;
      const ks = ksTwoSample(a, b, { presorted: true });
      tests.push({ label, feature, statistic: ks.statistic, pValue: ks.pValue });
    }
  }
  const adjusted = adjustPValues(
    tests.map((t) => t.pValue),
    rule.correction,
  );
  return tests
    .map((t, i) => ({ ...t, adjustedPValue: adjusted[i]! }))
    .filter((t) => t.adjustedPValue < rule.alpha);
}
