// Data audit for poisoning (MITRE ATLAS AML.T0020, OWASP ML02:2023): compares a candidate
// training batch with a trusted snapshot and lists the rows to quarantine, with reasons.
import { ATLAS, OWASP, sha256Hex } from '../../core/index.js';
import { buildBaseline } from '../baseline/baseline-profile.js';
import { columnIndex, type DataTable } from '../baseline/read-table.js';
import {
  compareToBaseline,
  DEFAULT_DRIFT_RULE,
  type DriftComparison,
  type DriftRule,
} from '../drift/compare-to-baseline.js';
import { windowColumnsFromTable } from '../drift/window-column.js';
import { detectError, DetectErrorCodes } from '../errors.js';
import { type DuplicateFinding, findDuplicates } from './duplicates.js';
import { fitStandardiser, sharedNumericFeatures, toMatrix } from './feature-matrix.js';
import { classProfiles, deviations, type FeatureDeviation } from './class-profile.js';
import { findLabelFlips, type LabelFlipSuspect, type NeighbourRef } from './label-flips.js';
import {
  type ConditionalShift,
  conditionalShifts,
  type LabelDrift,
  labelDrift,
} from './label-shifts.js';
import { findNeighbours } from './neighbours.js';
import { fences, findOutliers, type OutlierCluster, type OutlierRow } from './outliers.js';
import { findJitteredClusters } from './trigger-clusters.js';

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
  triggerZ?: number; // robust deviations from a class median that look like a trigger (5)
}

export type { ConditionalShift, LabelDrift };

export const QUARANTINE_REASONS = [
  'label-flip-suspect',
  'label-conflict-duplicate',
  'exact-duplicate',
  'near-duplicate',
  'outlier-cluster',
  'trigger-pattern',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** A row to drop, with why: its reasons, the neighbours that outvoted its label, and the
 * features on which it is most unlike the trusted rows of its label. */
export interface QuarantinedRow {
  row: number;
  id: string;
  reasons: QuarantineReason[];
  neighbourMajority?: string;
  neighbours?: NeighbourRef[];
  features: FeatureDeviation[];
}

export interface AuditReport {
  baselineRows: number;
  candidateRows: number;
  features: string[];
  labelColumn: string | null;
  atlasTechniques: string[];
  owasp: string[];
  featureDrift: DriftComparison;
  labelDrift: LabelDrift | null;
  conditionalShifts: ConditionalShift[];
  duplicates: DuplicateFinding[];
  labelFlipSuspects: LabelFlipSuspect[];
  outliers: OutlierRow[];
  outlierClusters: OutlierCluster[];
  digests: { name: string; expected: string; actual: string; ok: boolean }[];
  quarantine: QuarantinedRow[];
  findings: string[]; // one line per thing worth a look, most serious first
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
  const low = Float64Array.from(fenceZ, (x) => x[0]!);
  const high = Float64Array.from(fenceZ, (x) => x[1]!);
  const knn = hasLabels
    ? findNeighbours(base, cand, {
        k: opts.k ?? 10,
        maxPool: opts.maxNeighbourPool ?? 2000,
        low,
        high,
      })
    : null;
  const votes = knn
    ? findLabelFlips(cand, knn.pool, knn.neighbours, {
        maxAgreement: opts.maxAgreement ?? 0.1,
        muteAgreement: opts.muteAgreement ?? 0.2,
        pool: opts.neighbourPool ?? 'mixed',
      })
    : null;
  const classes = classProfiles(base);
  const minClusterSize = opts.minClusterSize ?? Math.max(3, Math.ceil(cand.rows * 0.002));
  const minClusterFeatures = opts.minClusterFeatures ?? 2;
  const minLabelShare = opts.minClusterLabelShare ?? 0.8;
  const outliers = findOutliers(sortedBaseline, opts.candidate, features, cand.labels, {
    widen,
    minClusterSize,
    minLabelShare,
    minClusterFeatures,
  });
  const stamped = new Set(outliers.clusters.flatMap((c) => c.rows));
  const jittered = votes
    ? findJitteredClusters(cand, classes, votes, st, {
        minClusterSize,
        minClusterFeatures,
        minLabelShare,
        z: opts.triggerZ ?? 5,
        doubt: 0.5,
        low,
        high,
      }).filter((c) => c.rows.some((r) => !stamped.has(r)))
    : [];
  const report: AuditReport = {
    baselineRows: opts.baseline.rowCount,
    candidateRows: opts.candidate.rowCount,
    features,
    labelColumn: opts.labelColumn ?? null,
    atlasTechniques: [ATLAS.poisonTrainingData],
    owasp: [OWASP.dataPoisoning],
    featureDrift,
    labelDrift: hasLabels ? labelDrift(base.labels, cand.labels) : null,
    conditionalShifts: hasLabels
      ? conditionalShifts(opts, features, base.labels, cand.labels, rule)
      : [],
    duplicates,
    labelFlipSuspects: votes?.suspects ?? [],
    outliers: outliers.rows,
    outlierClusters: [
      ...outliers.clusters,
      ...jittered.map((c): OutlierCluster => ({
        kind: 'jittered',
        features: c.features,
        values: c.values,
        spread: c.spread,
        rows: c.rows,
        labels: { [c.label]: c.rows.length },
        dominantLabel: c.label,
        dominantShare: c.labelShare,
      })),
    ],
    digests: checkDigests(opts.digests ?? []),
    quarantine: [],
    findings: [],
  };
  report.quarantine = quarantineList(report, cand.ids).map((q) => ({
    ...q,
    features: deviations(cand, q.row, classes.get(cand.labels[q.row] ?? ''), st),
  }));
  report.findings = summarise(report, rule);
  return report;
}

function quarantineList(report: AuditReport, ids: string[]): Omit<QuarantinedRow, 'features'>[] {
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
  for (const c of report.outlierClusters)
    for (const r of c.rows) add(r, c.kind === 'stamped' ? 'outlier-cluster' : 'trigger-pattern');
  const flips = new Map(report.labelFlipSuspects.map((s) => [s.row, s]));
  return [...reasons]
    .sort((a, b) => a[0] - b[0])
    .map(([row, set]) => {
      const flip = flips.get(row);
      return {
        row,
        id: ids[row]!,
        reasons: [...set],
        ...(flip ? { neighbourMajority: flip.neighbourMajority, neighbours: flip.neighbours } : {}),
      };
    });
}

function summarise(r: AuditReport, rule: DriftRule): string[] {
  const out: string[] = [];
  for (const d of r.digests.filter((x) => !x.ok))
    out.push(`digest mismatch: ${d.name} is ${d.actual}, the manifest records ${d.expected}`);
  for (const c of r.outlierClusters)
    out.push(
      c.kind === 'stamped'
        ? `outlier cluster: ${c.rows.length} rows out of range on ${c.features.join(', ')}, ${Math.round(c.dominantShare * 100)}% labelled ${c.dominantLabel} (backdoor trigger pattern?)`
        : `trigger pattern: ${c.rows.length} rows labelled ${c.dominantLabel} unlike that class and their neighbours' on ${c.features.map((f, i) => `${f} ${c.spread![i]![0]}–${c.spread![i]![1]}`).join(', ')} (a backdoor trigger with varying values?)`,
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
