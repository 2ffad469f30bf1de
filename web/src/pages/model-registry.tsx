// A model's registry record on its page: versions and states, deployments on a timeline
// (pins and rollbacks marked, with their reason), and the lineage behind each live endpoint.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { DataTable, ErrorNote, Section, time } from '../components/ui';
import {
  deploymentLanes,
  lineageGraph,
  type DeploymentRecord,
  type EndpointProvenance,
} from '../logic/registry-layout';

interface VersionRecord {
  id: string;
  version: string;
  state: string;
  createdAt: string;
  createdBy: string;
  manifestDigest: string;
  signature: string | null;
}

const STATE_COLOUR: Record<string, string> = {
  approved: '#2e7d32',
  deployed: '#1f5fa8',
  registered: '#6b7280',
  quarantined: '#b45309',
  revoked: '#b91c1c',
};
const PALETTE = ['#1f5fa8', '#7b3fa0', '#0f766e', '#a8551f', '#475569'];

export function RegistryPanels(props: { model: string }) {
  const record = useQuery({
    queryKey: ['registry-model', props.model],
    queryFn: () =>
      unwrap<{ versions: VersionRecord[] }>(
        api.GET('/api/v1/registry/models/{model}', { params: { path: { model: props.model } } }),
      ),
    retry: false,
  });
  const deployments = useQuery({
    queryKey: ['deployments', props.model],
    queryFn: () =>
      unwrap<{ deployments: DeploymentRecord[] }>(
        api.GET('/api/v1/registry/models/{model}/deployments', {
          params: { path: { model: props.model } },
        }),
      ),
    retry: false,
  });
  const live = [
    ...new Set(
      (deployments.data?.deployments ?? [])
        .filter((d) => d.until === null && d.versionId !== null)
        .map((d) => d.endpoint),
    ),
  ];
  const lineage = useQuery({
    queryKey: ['lineage', props.model, live],
    enabled: live.length > 0,
    queryFn: () =>
      Promise.all(
        live.map((endpoint) =>
          unwrap<EndpointProvenance>(
            api.GET('/api/v1/registry/lineage/endpoints/{endpoint}', {
              params: { path: { endpoint } },
            }),
          ),
        ),
      ),
  });
  if (record.isError)
    return (
      <Section title="Registry">
        <p>{props.model} is not in the registry.</p>
      </Section>
    );
  const versions = record.data?.versions ?? [];
  const names = new Map(versions.map((v) => [v.id, v.version]));
  return (
    <>
      <Section title="Versions">
        <DataTable
          caption="Registered versions and their state"
          columns={['version', 'state', 'registered', 'by', 'signed', 'digest']}
          rows={versions.map((v) => [
            v.version,
            <span class="state" style={{ borderColor: STATE_COLOUR[v.state] ?? '#6b7280' }}>
              {v.state}
            </span>,
            time(v.createdAt),
            v.createdBy,
            v.signature ? 'yes' : 'no',
            <span class="mono">{v.manifestDigest.slice(0, 19)}…</span>,
          ])}
          empty="No version registered."
        />
      </Section>
      <Section title="Deployment timeline" id="deployment-timeline">
        {deployments.isError ? (
          <ErrorNote error={deployments.error} />
        ) : (
          <DeploymentTimeline deployments={deployments.data?.deployments ?? []} names={names} />
        )}
      </Section>
      <Section title="Lineage" id="lineage">
        {lineage.isError && <ErrorNote error={lineage.error} />}
        {live.length === 0 ? (
          <p>No endpoint serves a registered version of {props.model} now.</p>
        ) : (
          <LineageGraph provenance={lineage.data ?? []} />
        )}
      </Section>
    </>
  );
}

function DeploymentTimeline(props: {
  deployments: DeploymentRecord[];
  names: ReadonlyMap<string, string>;
}) {
  const { lanes, from, to } = deploymentLanes(props.deployments, props.names, Date.now());
  const W = 760;
  const LEFT = 130;
  const LANE = 30;
  const x = (t: number) => LEFT + ((t - from) / (to - from)) * (W - LEFT - 10);
  const colour = (v: string | null) =>
    v === null ? '#d1d5db' : PALETTE[[...props.names.values()].indexOf(v) % PALETTE.length]!;
  const segments = lanes.flatMap((l) => l.segments);
  return (
    <>
      {lanes.length > 0 && (
        <svg
          viewBox={`0 0 ${W} ${lanes.length * LANE + 24}`}
          width="100%"
          role="img"
          aria-label={`Deployments of ${lanes.length} endpoint(s) from ${time(new Date(from).toISOString())} to now; the table below has the same data`}
          data-segments={segments.length}
        >
          {lanes.map((lane, i) => (
            <g key={lane.endpoint} transform={`translate(0 ${i * LANE})`}>
              <text x={4} y={19} font-size="12">
                {lane.endpoint}
              </text>
              {lane.segments.map((s) => (
                <g key={s.id}>
                  <title>{`${s.version ?? 'withdrawn'} from ${time(new Date(s.start).toISOString())}: ${s.reason} (${s.actor})`}</title>
                  <rect
                    x={x(s.start)}
                    y={4}
                    width={Math.max(2, x(s.end) - x(s.start))}
                    height={LANE - 8}
                    fill={colour(s.version)}
                    stroke={s.how === 'deploy' ? 'none' : '#111'}
                    stroke-dasharray={s.how === 'deploy' ? undefined : '4 2'}
                  />
                  {x(s.end) - x(s.start) > 24 && (
                    <text x={x(s.start) + 4} y={19} font-size="11" fill="#fff">
                      {s.version ?? '—'}
                      {s.how === 'deploy' ? '' : ` (${s.how})`}
                    </text>
                  )}
                </g>
              ))}
            </g>
          ))}
          <text x={LEFT} y={lanes.length * LANE + 16} font-size="10">
            {time(new Date(from).toISOString())}
          </text>
          <text x={W - 10} y={lanes.length * LANE + 16} font-size="10" text-anchor="end">
            now
          </text>
        </svg>
      )}
      <DataTable
        caption="Deployments, oldest first"
        columns={['from', 'until', 'endpoint', 'version', 'how', 'reason', 'by']}
        rows={segments
          .sort((a, b) => a.start - b.start)
          .map((s) => [
            time(new Date(s.start).toISOString()),
            s.open ? 'now' : time(new Date(s.end).toISOString()),
            s.endpoint,
            s.version ?? 'withdrawn',
            s.pinned ? `${s.how} (containment action)` : s.how,
            s.reason,
            s.actor,
          ])}
        empty="No deployments recorded."
      />
    </>
  );
}

function LineageGraph(props: { provenance: EndpointProvenance[] }) {
  const { nodes, edges } = lineageGraph(props.provenance);
  const COL = 190;
  const ROW = 44;
  const rowOf = new Map<string, number>();
  const perColumn = [0, 0, 0, 0];
  for (const n of nodes) rowOf.set(n.id, perColumn[n.column]!++);
  const at = (id: string) => {
    const n = nodes.find((m) => m.id === id)!;
    return { x: 10 + n.column * COL, y: 24 + rowOf.get(id)! * ROW };
  };
  const height = 30 + Math.max(1, ...perColumn) * ROW;
  const label = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
  return (
    <>
      <svg
        viewBox={`0 0 ${10 + 4 * COL} ${height}`}
        width="100%"
        role="img"
        aria-label="Lineage: dataset snapshots and base models, training runs, versions, endpoints; the table below lists every link"
        data-nodes={nodes.length}
      >
        {['snapshots', 'runs', 'versions', 'endpoints'].map((h, i) => (
          <text key={h} x={10 + i * COL} y={12} font-size="11" fill="#555">
            {h}
          </text>
        ))}
        {edges.map(([a, b]) => {
          const p = at(a);
          const q = at(b);
          return (
            <line
              key={`${a}>${b}`}
              x1={p.x + 160}
              y1={p.y + 14}
              x2={q.x}
              y2={q.y + 14}
              stroke="#888"
            />
          );
        })}
        {nodes.map((n) => {
          const p = at(n.id);
          return (
            <g key={n.id}>
              <rect
                x={p.x}
                y={p.y}
                width={160}
                height={28}
                rx={4}
                fill="#fff"
                stroke={n.state ? (STATE_COLOUR[n.state] ?? '#6b7280') : '#14213d'}
                stroke-width={n.state ? 3 : 1}
              />
              <text x={p.x + 6} y={p.y + 18} font-size="11">
                {n.label.length > 24 ? `${n.label.slice(0, 23)}…` : n.label}
                {n.state ? ` (${n.state})` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable
        caption="Lineage links"
        columns={['from', 'to']}
        rows={edges.map(([a, b]) => [label(a), label(b)])}
        empty="No lineage recorded."
      />
    </>
  );
}
