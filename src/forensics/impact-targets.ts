import type { ImpactWindow } from './impact.js';
import type { ImpactTarget } from './impact-export.js';

/** What `GET /api/v1/registry/lineage/snapshots/:dataset/:label` answers, as far as impact reads it. */
export interface SnapshotLineageView {
  versions: {
    model: string;
    version: { version: string };
    deployments: { at: string; until: string | null }[];
  }[];
}

/**
 * The windows a version served: its deployments (any endpoint) clipped to `[from, to]`,
 * overlapping ones merged so no decision is read twice. An open end is `undefined`.
 */
export function servedWindows(
  deployments: readonly { at: string; until: string | null }[],
  from?: string,
  to?: string,
): ImpactWindow[] {
  const clipped = deployments
    .map((d) => ({
      from: from !== undefined && from > d.at ? from : d.at,
      to: d.until === null ? to : to !== undefined && to < d.until ? to : d.until,
    }))
    .filter((w) => w.to === undefined || w.from < w.to)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: ImpactWindow[] = [];
  for (const w of clipped) {
    const last = merged.at(-1);
    if (last && (last.to === undefined || w.from <= last.to)) {
      if (last.to !== undefined && (w.to === undefined || w.to > last.to)) last.to = w.to;
    } else merged.push({ ...w });
  }
  return merged;
}

/** Every version trained on the snapshot, with the windows it served within `[from, to]`. */
export function snapshotTargets(
  lineage: SnapshotLineageView,
  from?: string,
  to?: string,
): ImpactTarget[] {
  return lineage.versions.map((v) => ({
    model: v.model,
    version: v.version.version,
    windows: servedWindows(v.deployments, from, to),
  }));
}
