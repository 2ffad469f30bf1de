// Data audit for poisoning (MITRE ATLAS AML.T0020, OWASP ML02:2023): compares a candidate
// training batch with a trusted snapshot and lists the rows to quarantine, with reasons.
import { sha256Hex } from '../../core/index.js';
import { buildBaseline } from '../baseline/baseline-profile.js';
import { type Cell, columnIndex, type DataTable } from '../baseline/read-table.js';
import {
  compareToBaseline,
  DEFAULT_DRIFT_RULE,
  type DriftComparison,
  type DriftRule,
} from '../drift/compare-to-baseline.js';
import { windowColumnsFromTable } from '../drift/window-column.js';
import { detectError, DetectErrorCodes } from '../errors.js';
import { adjustPValues, chiSquareContingency, ksTwoSample } from '../stats/index.js';
import { type DuplicateFinding, findDuplicates } from './duplicates.js';
import { fitStandardiser, sharedNumericFeatures, toMatrix } from './feature-matrix.js';
import { findLabelFlips, type LabelFlipSuspect } from './label-flips.js';
import { findNeighbours } from './neighbours.js';
import { fences, findOutliers, type OutlierCluster, type OutlierRow } from './outliers.js';

export interface DigestCheckInput {
  name: string;
  expected: string; // hex SHA-256 recorded in the manifest
  bytes: Uint8Array; // what is on disk now
}

export interface AuditOptions {
  baseline: DataTable; // the trusted snapshot
  candidate: DataTable; // the new batch
  labelColumn?: string;
  idColumn?: string;
  digests?: DigestCheckInput[];
  rule?: Partial<DriftRule>;
  k?: number; // neighbours for label-flip suspects (default 10)
  maxAgreement?: number; // flag when at most this share of neighbours agree (default 0.1)
  maxNeighbourPool?: number; // default 2000
  neighbourPool?: 'mixed' | 'trusted'; // default 'mixed' (see label-flips.ts)
  muteAgreement?: number; // candidate rows the trusted rows doubt this much may not vote (0.2)
  nearDuplicateResolution?: number; // in baseline deviations (default 0.01)
  outlierWiden?: number; // IQRs beyond q0.5%/q99.5% (default 1.5)
  minClusterSize?: number; // default max(3, 0.2% of candidate rows)
  minClusterFeatures?: number; // out-of-range features a cluster shares (default 2)
  minClusterLabelShare?: number; // default 0.8
}

export const QUARANTINE_REASONS = [
  'label-flip-suspect',
  'label-conflict-duplicate',
  'exact-duplicate',
  'near-duplicate',
  'outlier-cluster',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export interface ConditionalShift {
  label: string;
  feature: string;
  statistic: number;
  pValue: number;
  adjustedPValue: number;
}

export interface AuditReport {
  baselineRows: number;
  candidateRows: number;
  features: string[];
  labelColumn: string | null;
  atlasTechniques: string[];
  owasp: string[];
  featureDrift: DriftComparison;
  labelDrift: {
    statistic: number;
    pValue: number;
    baseline: Record<string, number>;
    candidate: Record<string, number>;
  } | null;
  conditionalShifts: ConditionalShift[];
  duplicates: DuplicateFinding[];
  labelFlipSuspects: LabelFlipSuspect[];
  outliers: OutlierRow[];
  outlierClusters: OutlierCluster[];
  digests: { name: string; expected: string; actual: string; ok: boolean }[];
  quarantine: { row: number; id: string; reasons: QuarantineReason[] }[];
  findings: string[]; // one line per thing worth a look, most serious first
}

function labelCounts(labels: (string | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) if (l !== null) out[l] = (out[l] ?? 0) + 1;
  return out;
}

function labelDrift(base: (string | null)[], cand: (string | null)[]): AuditReport['labelDrift'] {
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

function conditionalShifts(
  opts: AuditOptions,
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

function checkDigests(inputs: DigestCheckInput[]): AuditReport['digests'] {
  return inputs.map((d) => {
    const actual = sha256Hex(d.bytes);
    return {
      name: d.name,
      expected: d.expected.toLowerCase(),
      actual,
      ok: actual === d.expected.toLowerCase(),
    };
  });
}

/** Audits a candidate training batch against a trusted snapshot. Pure: no I/O. */
export function auditDataset(opts: AuditOptions): AuditReport {
  const rule: DriftRule = { ...DEFAULT_DRIFT_RULE, ksReference: 'sample', ...opts.rule };
  const exclude = new Set([opts.labelColumn, opts.idColumn].filter((c): c is string => !!c));
  for (const c of exclude) {
    columnIndex(opts.baseline, c); // throws DETECT_COLUMN_MISSING naming the column
    columnIndex(opts.candidate, c);
  }
  const features = sharedNumericFeatures(opts.baseline, opts.candidate, exclude);
  if (features.length === 0)
    throw detectError(
      DetectErrorCodes.DETECT_TABLE_INVALID,
      'audit: the baseline and the candidate share no numeric feature column',
    );
  const profile = buildBaseline(opts.baseline, {
    name: 'baseline',
    exclude: [...exclude],
    sampleSize: 10_000,
  });
  const featureDrift = compareToBaseline(
    profile,
    windowColumnsFromTable(profile, opts.candidate),
    rule,
  );
  const st = fitStandardiser(opts.baseline, features);
  const base = toMatrix(opts.baseline, st, opts.labelColumn, opts.idColumn);
  const cand = toMatrix(opts.candidate, st, opts.labelColumn, opts.idColumn);
  const hasLabels = !!opts.labelColumn;
  // The profile's sorted sample (every value up to 10 000 rows) gives the fences' quantiles.
  const sortedBaseline = features.map(
    (f) => profile.features.find((p) => p.name === f)?.numeric?.sample ?? [],
  );
  const duplicates = findDuplicates(base, cand, opts.nearDuplicateResolution ?? 0.01);
  const widen = opts.outlierWiden ?? 1.5;
  const fenceZ = fences(sortedBaseline, widen).map(([lo, hi], f) => [
    (lo - st.mean[f]!) / st.scale[f]!,
    (hi - st.mean[f]!) / st.scale[f]!,
  ]);
  const knn = hasLabels
    ? findNeighbours(base, cand, {
        k: opts.k ?? 10,
        maxPool: opts.maxNeighbourPool ?? 2000,
        low: Float64Array.from(fenceZ, (x) => x[0]!),
        high: Float64Array.from(fenceZ, (x) => x[1]!),
      })
    : null;
  const flips = knn
    ? findLabelFlips(cand, knn.pool, knn.neighbours, {
        maxAgreement: opts.maxAgreement ?? 0.1,
        muteAgreement: opts.muteAgreement ?? 0.2,
        pool: opts.neighbourPool ?? 'mixed',
      })
    : [];
  const outliers = findOutliers(sortedBaseline, opts.candidate, features, cand.labels, {
    widen,
    minClusterSize: opts.minClusterSize ?? Math.max(3, Math.ceil(cand.rows * 0.002)),
    minLabelShare: opts.minClusterLabelShare ?? 0.8,
    minClusterFeatures: opts.minClusterFeatures ?? 2,
  });
  const report: AuditReport = {
    baselineRows: opts.baseline.rowCount,
    candidateRows: opts.candidate.rowCount,
    features,
    labelColumn: opts.labelColumn ?? null,
    atlasTechniques: ['AML.T0020'],
    owasp: ['ML02:2023'],
    featureDrift,
    labelDrift: hasLabels ? labelDrift(base.labels, cand.labels) : null,
    conditionalShifts: hasLabels
      ? conditionalShifts(opts, features, base.labels, cand.labels, rule)
      : [],
    duplicates,
    labelFlipSuspects: flips,
    outliers: outliers.rows,
    outlierClusters: outliers.clusters,
    digests: checkDigests(opts.digests ?? []),
    quarantine: [],
    findings: [],
  };
  report.quarantine = quarantineList(report, cand.ids);
  report.findings = summarise(report, rule);
  return report;
}

function quarantineList(report: AuditReport, ids: string[]): AuditReport['quarantine'] {
  const reasons = new Map<number, Set<QuarantineReason>>();
  const add = (row: number, reason: QuarantineReason) => {
    const set = reasons.get(row) ?? new Set();
    set.add(reason);
    reasons.set(row, set);
  };
  for (const s of report.labelFlipSuspects) add(s.row, 'label-flip-suspect');
  for (const d of report.duplicates)
    add(
      d.row,
      d.labelConflict
        ? 'label-conflict-duplicate'
        : d.kind === 'exact'
          ? 'exact-duplicate'
          : 'near-duplicate',
    );
  for (const c of report.outlierClusters) for (const r of c.rows) add(r, 'outlier-cluster');
  return [...reasons]
    .sort((a, b) => a[0] - b[0])
    .map(([row, set]) => ({ row, id: ids[row]!, reasons: [...set] }));
}

function summarise(r: AuditReport, rule: DriftRule): string[] {
  const out: string[] = [];
  for (const d of r.digests.filter((x) => !x.ok))
    out.push(`digest mismatch: ${d.name} is ${d.actual}, the manifest records ${d.expected}`);
  for (const c of r.outlierClusters)
    out.push(
      `outlier cluster: ${c.rows.length} rows out of range on ${c.features.join(', ')}, ${Math.round(c.dominantShare * 100)}% labelled ${c.dominantLabel} (backdoor trigger pattern?)`,
    );
  if (r.labelFlipSuspects.length)
    out.push(
      `${r.labelFlipSuspects.length} rows carry a label few of their nearest neighbours share (label-flip suspects)`,
    );
  const conflicts = r.duplicates.filter((d) => d.labelConflict).length;
  if (conflicts) out.push(`${conflicts} duplicate rows disagree with their twin's label`);
  if (r.labelDrift && r.labelDrift.pValue < rule.alpha)
    out.push(`label distribution shifted (chi-square p = ${r.labelDrift.pValue.toPrecision(3)})`);
  if (r.featureDrift.drifted.length)
    out.push(
      `${r.featureDrift.drifted.length} of ${r.featureDrift.compared} features drifted: ${r.featureDrift.drifted.slice(0, 8).join(', ')}${r.featureDrift.drifted.length > 8 ? ', …' : ''}`,
    );
  if (r.conditionalShifts.length)
    out.push(
      `${r.conditionalShifts.length} label-conditional feature shifts (e.g. ${r.conditionalShifts[0]!.feature} given label ${r.conditionalShifts[0]!.label})`,
    );
  const dupes = r.duplicates.length - conflicts;
  if (dupes) out.push(`${dupes} duplicate rows (exact or near)`);
  return out;
}
