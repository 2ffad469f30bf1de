import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter-preact';
import { api, unwrap } from '../api/client';
import { SEVERITIES } from '../api/types';
import { TimeChart } from '../components/chart';
import { DataTable, duration, ErrorNote, Loading, Section, time } from '../components/ui';

interface Overview {
  openIncidents: number;
  bySeverity: Record<string, number>;
  clocks: {
    incidentId: string;
    regulation?: string;
    name?: string;
    dueAt?: string;
    status?: string;
    [k: string]: unknown;
  }[];
  alerts: { detectors: string[]; buckets: { at: string; counts: Record<string, number> }[] };
  requests: { model: string; outcome: string; count: number }[];
  metrics: {
    mttdMs?: number | null;
    meanTimeToContainMs?: number | null;
    falsePositiveRate?: number | null;
    [k: string]: unknown;
  };
  ledger: {
    stats: Record<string, unknown>;
    health: { status: string; ready: boolean; checks: Record<string, unknown> } | null;
    streams: string[];
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function OverviewPage() {
  const q = useQuery({
    queryKey: ['overview'],
    queryFn: () => unwrap<Overview>(api.GET('/api/v1/console/overview')),
  });
  if (q.isPending) return <Loading what="the overview" />;
  if (q.isError) return <ErrorNote error={q.error} />;
  const o = q.data;
  const buckets = o.alerts.buckets;
  const m = o.metrics;
  return (
    <>
      <h1>Overview</h1>
      <div class="grid">
        <Section title="Open incidents">
          <p class="stat" data-testid="open-incidents">
            {o.openIncidents}
          </p>
          <DataTable
            caption="Open incidents by severity"
            columns={['severity', 'open']}
            rows={SEVERITIES.filter((s) => o.bySeverity[s]).map((s) => [
              <Link href={`/incidents?status=open&severity=${s}`}>
                <span class={`sev ${s}`}>{s}</span>
              </Link>,
              o.bySeverity[s],
            ])}
            empty="No open incidents."
          />
        </Section>
        <Section title="Response measures">
          <dl class="facts">
            <dt>MTTD</dt>
            <dd>{duration(num(m.mttdMs) ?? num(m.meanTimeToDetectMs))}</dd>
            <dt>Time to contain</dt>
            <dd>{duration(num(m.mttcMs) ?? num(m.meanTimeToContainMs))}</dd>
            <dt>False-positive rate</dt>
            <dd>
              {num(m.falsePositiveRate) === null
                ? '—'
                : `${(num(m.falsePositiveRate)! * 100).toFixed(1)} %`}
            </dd>
          </dl>
        </Section>
        <Section title="Ledger health">
          <dl class="facts">
            <dt>Status</dt>
            <dd>{o.ledger.health?.status ?? 'unknown'}</dd>
            <dt>Streams</dt>
            <dd>{o.ledger.streams.join(', ')}</dd>
            {Object.entries(o.ledger.stats ?? {})
              .filter(([, v]) => typeof v !== 'object')
              .map(([k, v]) => [<dt key={`t${k}`}>{k}</dt>, <dd key={`d${k}`}>{String(v)}</dd>])}
          </dl>
          <Link href="/ledger">Ledger details</Link>
        </Section>
      </div>
      <Section title="Running notification clocks">
        <DataTable
          caption="Notification clocks of open incidents"
          columns={['incident', 'clock', 'due', 'state']}
          rows={o.clocks.map((c) => [
            <Link href={`/incidents/${c.incidentId}`}>{c.incidentId}</Link>,
            String(c.regulation ?? c.name ?? c.id ?? ''),
            time((c.dueAt ?? c.deadline) as string | undefined),
            String(c.status ?? c.state ?? ''),
          ])}
          empty="No clocks running."
        />
      </Section>
      <Section title="Alerts per detector">
        <TimeChart
          title="Alerts per detector per minute"
          x={buckets.map((b) => Date.parse(b.at) / 1000)}
          series={o.alerts.detectors.map((d) => ({
            label: d,
            values: buckets.map((b) => b.counts[d] ?? 0),
          }))}
        />
      </Section>
      <Section title="Requests per model and outcome">
        <DataTable
          caption="Requests per model and outcome"
          columns={['model', 'outcome', 'requests']}
          rows={o.requests.map((r) => [r.model, r.outcome, r.count])}
          empty="No requests yet."
        />
      </Section>
    </>
  );
}
