import { describe, expect, it } from 'vitest';
import { servedWindows, snapshotTargets } from './index.js';

const t = (m: number) => new Date(Date.UTC(2026, 10, 1, 0, m)).toISOString();

describe('the windows a version served, from its deployments', () => {
  it('clips to --from/--to, keeps an open end open, and merges overlaps across endpoints', () => {
    const deployments = [
      { at: t(0), until: t(10) }, // endpoint a
      { at: t(5), until: t(20) }, // endpoint b, overlapping
      { at: t(30), until: t(40) },
      { at: t(50), until: null }, // still serving
    ];
    expect(servedWindows(deployments)).toEqual([
      { from: t(0), to: t(20) },
      { from: t(30), to: t(40) },
      { from: t(50), to: undefined },
    ]);
    expect(servedWindows(deployments, t(15), t(55))).toEqual([
      { from: t(15), to: t(20) },
      { from: t(30), to: t(40) },
      { from: t(50), to: t(55) },
    ]);
    expect(servedWindows(deployments, t(41), t(49))).toEqual([]);
    expect(servedWindows([])).toEqual([]);
  });

  it('makes one target per version the snapshot lineage names', () => {
    const targets = snapshotTargets({
      versions: [
        { model: 'm', version: { version: '2' }, deployments: [{ at: t(0), until: null }] },
        { model: 'm', version: { version: '3' }, deployments: [] },
      ],
    });
    expect(targets).toEqual([
      { model: 'm', version: '2', windows: [{ from: t(0), to: undefined }] },
      { model: 'm', version: '3', windows: [] },
    ]);
  });
});
