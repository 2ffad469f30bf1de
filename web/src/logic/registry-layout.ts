// Layout for the model page's registry views: deployments as lanes over time, and the
// lineage of what serves an endpoint as columns (snapshots → runs → version → endpoint).

export interface DeploymentRecord {
  id: string;
  endpoint: string;
  versionId: string | null;
  reason: string;
  actor: string;
  actionId: string | null;
  at: string;
  until: string | null;
}

export interface Segment {
  id: string;
  endpoint: string;
  /** The version's name, or null when the endpoint was withdrawn. */
  version: string | null;
  start: number;
  end: number;
  /** Still in force. */
  open: boolean;
  /** Enforced by a containment action (a pin or a rollback). */
  pinned: boolean;
  /** `deploy`, `rollback`, `pin`…: the reason's leading word when it names one. */
  how: string;
  reason: string;
  actor: string;
}

/**
 * One lane per endpoint (in first-deployment order), each deployment a segment from its
 * start to its end (now while still in force), named by version.
 */
export function deploymentLanes(
  deployments: readonly DeploymentRecord[],
  versionNames: ReadonlyMap<string, string>,
  now: number,
): { lanes: { endpoint: string; segments: Segment[] }[]; from: number; to: number } {
  const lanes = new Map<string, Segment[]>();
  const sorted = [...deployments].sort((a, b) => a.at.localeCompare(b.at));
  for (const d of sorted) {
    const start = Date.parse(d.at);
    const end = d.until === null ? now : Date.parse(d.until);
    const lane = lanes.get(d.endpoint) ?? [];
    lane.push({
      id: d.id,
      endpoint: d.endpoint,
      version: d.versionId === null ? null : (versionNames.get(d.versionId) ?? d.versionId),
      start,
      end: Math.max(start, end),
      open: d.until === null,
      pinned: d.actionId !== null,
      how: /^([a-z_]+):/.exec(d.reason)?.[1] ?? (d.actionId === null ? 'deploy' : 'pin'),
      reason: d.reason,
      actor: d.actor,
    });
    lanes.set(d.endpoint, lane);
  }
  const all = [...lanes.values()].flat();
  const from = all.length ? Math.min(...all.map((s) => s.start)) : now;
  const to = all.length ? Math.max(now, ...all.map((s) => s.end)) : now;
  return {
    lanes: [...lanes].map(([endpoint, segments]) => ({ endpoint, segments })),
    from,
    to: to > from ? to : from + 1,
  };
}

export interface LineageNode {
  id: string;
  column: 0 | 1 | 2 | 3;
  label: string;
  state: string | null;
}

export interface EndpointProvenance {
  endpoint: string;
  version: { id: string; version: string } | null;
  model: { name: string } | null;
  stateAt: string | null;
  runs: {
    run: { id: string; name?: string };
    inputs: { dataset: string; snapshot: { id: string; label: string } }[];
    bases: string[];
  }[];
}

/** Nodes and edges of the lineage behind endpoints: snapshots → runs → versions → endpoints. */
export function lineageGraph(provenance: readonly EndpointProvenance[]): {
  nodes: LineageNode[];
  edges: [string, string][];
} {
  const nodes = new Map<string, LineageNode>();
  const edges = new Set<string>();
  const add = (n: LineageNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  };
  for (const p of provenance) {
    const endpoint = `endpoint:${p.endpoint}`;
    add({ id: endpoint, column: 3, label: p.endpoint, state: null });
    if (!p.version) continue;
    const version = `version:${p.version.id}`;
    add({
      id: version,
      column: 2,
      label: `${p.model?.name ?? '?'}@${p.version.version}`,
      state: p.stateAt,
    });
    edges.add(`${version}\n${endpoint}`);
    for (const r of p.runs) {
      const run = `run:${r.run.id}`;
      add({ id: run, column: 1, label: r.run.name ?? r.run.id, state: null });
      edges.add(`${run}\n${version}`);
      for (const i of r.inputs) {
        const snap = `snapshot:${i.snapshot.id}`;
        add({ id: snap, column: 0, label: `${i.dataset}@${i.snapshot.label}`, state: null });
        edges.add(`${snap}\n${run}`);
      }
      for (const b of r.bases) {
        const base = `base:${b}`;
        add({ id: base, column: 0, label: `base ${b}`, state: null });
        edges.add(`${base}\n${run}`);
      }
    }
  }
  return {
    nodes: [...nodes.values()],
    edges: [...edges].map((e) => e.split('\n') as [string, string]),
  };
}
