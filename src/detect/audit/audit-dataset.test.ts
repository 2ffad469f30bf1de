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
      features: ['smoothness_error', 'symmetry_error'],
      rows,
      dominantLabel: '1',
    });
    expect(report.findings[0]).toMatch(/outlier cluster: 6 rows/);
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
