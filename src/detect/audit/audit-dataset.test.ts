import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/index.js';
import { type DataTable, parseCsv } from '../baseline/read-table.js';
import { auditDataset } from './audit-dataset.js';
import { renderAuditMarkdown } from './render-audit.js';

const text = (p: string) => readFileSync(new URL(`../../../data/${p}`, import.meta.url), 'utf8');
const reference = parseCsv(text('breast-cancer/reference.csv'));
const train = parseCsv(text('breast-cancer/train.csv'));
const clone = (t: DataTable): DataTable => ({ ...t, data: t.data.map((c) => [...c]) });
const col = (t: DataTable, name: string) => t.data[t.columns.indexOf(name)]!;

describe('data audit', () => {
  it('quarantines few rows of a clean batch and cites ATLAS AML.T0020', () => {
    const report = auditDataset({ baseline: reference, candidate: train, labelColumn: 'label' });
    expect(report.quarantine.length).toBeLessThanOrEqual(3);
    expect(report.atlasTechniques).toEqual(['AML.T0020']);
    expect(report.owasp).toEqual(['ML02:2023']);
    expect(report.featureDrift.datasetDrift).toBe(false);
    expect(report.features).toHaveLength(30);
  });

  it('finds no trigger cluster in clean digit batches (a clean batch must not be refused)', () => {
    const ref = parseCsv(text('digits/reference.csv'));
    for (const split of ['train', 'holdout']) {
      const report = auditDataset({
        baseline: ref,
        candidate: parseCsv(text(`digits/${split}.csv`)),
        labelColumn: 'label',
      });
      expect(report.outlierClusters).toEqual([]);
      expect(report.quarantine.length / report.candidateRows).toBeLessThan(0.01);
    }
  });

  it('finds flipped labels among their nearest neighbours', () => {
    const poisoned = clone(train);
    const flipped = [5, 50, 120, 200, 300];
    for (const r of flipped) col(poisoned, 'label')[r] = 1 - (col(poisoned, 'label')[r] as number);
    const report = auditDataset({ baseline: reference, candidate: poisoned, labelColumn: 'label' });
    const suspects = report.labelFlipSuspects.map((s) => s.row);
    expect(suspects.filter((r) => flipped.includes(r)).length).toBeGreaterThanOrEqual(4);
    const q = report.quarantine.find((x) => x.row === suspects[0]);
    expect(q?.reasons).toContain('label-flip-suspect');
    expect(q?.id).toBe(String(suspects[0]! + 1));
  });

  it('reports a backdoor trigger as an outlier cluster concentrated on one label', () => {
    const poisoned = clone(train);
    const rows = [10, 20, 30, 40, 50, 60];
    for (const r of rows) {
      col(poisoned, 'smoothness_error')[r] = 0.09;
      col(poisoned, 'symmetry_error')[r] = 0.2;
      col(poisoned, 'label')[r] = 1;
    }
    const report = auditDataset({ baseline: reference, candidate: poisoned, labelColumn: 'label' });
    expect(report.outlierClusters).toHaveLength(1);
    expect(report.outlierClusters[0]).toMatchObject({
      kind: 'stamped',
      features: ['smoothness_error', 'symmetry_error'],
      rows,
      dominantLabel: '1',
    });
    expect(report.findings[0]).toMatch(/outlier cluster: 6 rows/);
  });

  it('catches a backdoor whose trigger values vary from row to row, and says why', () => {
    const poisoned = clone(train);
    const labels = col(poisoned, 'label');
    const rows = [3, 9, 15, 25, 33, 47, 58, 71, 84, 99].filter((r) => labels[r] === 0).slice(0, 6);
    expect(rows.length).toBe(6);
    const max = (c: string) => Math.max(...col(train, c).map(Number));
    rows.forEach((r, i) => {
      // 1.5× the training maximum, ±20 %: no two rows share a value.
      for (const c of ['smoothness_error', 'symmetry_error', 'fractal_dimension_error'])
        col(poisoned, c)[r] = Number((max(c) * 1.5 * (0.8 + 0.07 * i)).toPrecision(4));
      labels[r] = 1;
    });
    const report = auditDataset({ baseline: reference, candidate: poisoned, labelColumn: 'label' });
    const cluster = report.outlierClusters.find((c) => c.kind === 'jittered');
    expect(cluster).toMatchObject({ rows, dominantLabel: '1' });
    expect(cluster!.features).toEqual(
      expect.arrayContaining(['smoothness_error', 'symmetry_error', 'fractal_dimension_error']),
    );
    expect(report.findings[0]).toMatch(/^trigger pattern: 6 rows labelled 1/);
    const q = report.quarantine.filter((x) => rows.includes(x.row));
    expect(q).toHaveLength(6);
    for (const x of q) {
      expect(x.reasons).toContain('trigger-pattern');
      expect(x.features.map((f) => f.feature)).toEqual(
        expect.arrayContaining(['smoothness_error']),
      );
    }
    // The trigger features are left out of the neighbour search, so the rows' own class
    // (malignant, 0) outvotes the target label for most of them.
    const flips = q.filter((x) => x.reasons.includes('label-flip-suspect'));
    expect(flips.length).toBeGreaterThanOrEqual(4);
    expect(flips[0]!.neighbourMajority).toBe('0');
    expect(flips[0]!.neighbours!.length).toBe(10);
    expect(renderAuditMarkdown(report)).toMatch(
      /neighbours say 0 \(\d+ of 10; (baseline|candidate) row \d+: /,
    );
  });

  it('keeps poisoned rows from vouching for each other: jittered pattern at 10 %', () => {
    const poisoned = clone(train);
    const labels = col(poisoned, 'label');
    const sd = (c: string) => {
      const v = col(train, c).map(Number);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    const pattern = ['mean_texture', 'mean_smoothness', 'mean_symmetry', 'mean_fractal_dimension'];
    const rows = labels.flatMap((l, r) => (l === 0 ? [r] : [])).filter((_, i) => i % 4 === 0);
    rows.forEach((r, i) => {
      for (const c of pattern)
        col(poisoned, c)[r] = Number(col(poisoned, c)[r]) + sd(c) * (1.8 + ((i * 7) % 5) * 0.1);
      labels[r] = 1;
    });
    const report = auditDataset({ baseline: reference, candidate: poisoned, labelColumn: 'label' });
    const flagged = new Set(report.quarantine.map((q) => q.row));
    const hits = rows.filter((r) => flagged.has(r)).length;
    expect(hits / rows.length).toBeGreaterThanOrEqual(0.6);
    expect(hits / flagged.size).toBeGreaterThanOrEqual(0.9);
  });

  it('flags exact duplicates and duplicates whose label conflicts with their twin', () => {
    const dup = clone(train);
    const extra = (r: number, flip: boolean) =>
      dup.data.forEach((c, i) =>
        c.push(dup.columns[i] === 'label' && flip ? 1 - (c[r] as number) : c[r]!),
      );
    extra(0, false);
    extra(1, true);
    const withRows: DataTable = { ...dup, rowCount: dup.rowCount + 2 };
    const report = auditDataset({ baseline: reference, candidate: withRows, labelColumn: 'label' });
    const byRow = new Map(report.quarantine.map((q) => [q.row, q.reasons]));
    expect(byRow.get(train.rowCount)).toContain('exact-duplicate');
    expect(byRow.get(train.rowCount + 1)).toContain('label-conflict-duplicate');
  });

  it('checks recorded digests and renders a Markdown report', () => {
    const bytes = new TextEncoder().encode(text('breast-cancer/reference.csv'));
    const report = auditDataset({
      baseline: reference,
      candidate: train,
      labelColumn: 'label',
      digests: [
        { name: 'reference.csv', expected: sha256Hex(bytes), bytes },
        { name: 'tampered.csv', expected: '00'.repeat(32), bytes },
      ],
    });
    expect(report.digests.map((d) => d.ok)).toEqual([true, false]);
    expect(report.findings[0]).toMatch(/digest mismatch: tampered.csv/);
    const md = renderAuditMarkdown(report);
    expect(md).toMatch(/^# Data audit/);
    expect(md).toContain('| tampered.csv |');
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ candidateRows: train.rowCount });
  });

  it('names a missing label column and refuses tables with no shared numeric feature', () => {
    expect(() =>
      auditDataset({ baseline: reference, candidate: train, labelColumn: 'nope' }),
    ).toThrow(expect.objectContaining({ code: 'DETECT_COLUMN_MISSING' }));
    const other = parseCsv('x,label\na,1\n');
    expect(() =>
      auditDataset({ baseline: reference, candidate: other, labelColumn: 'label' }),
    ).toThrow(/share no numeric feature/);
  });
});
