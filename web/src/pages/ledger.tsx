import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { DataTable, ErrorNote, Loading, Section, time } from '../components/ui';

interface Checkpoint {
  treeSize?: number;
  size?: number;
  rootHash?: string;
  root?: string;
  timestamp?: string;
  at?: string;
  [k: string]: unknown;
}

interface Witness {
  url: string;
  stream: string;
  witnessedSize: number | null;
  latestSize: number;
  entriesBehind: number;
  secondsBehind: number;
  lastError?: string;
}

function Stream(props: { name: string }) {
  const cp = useQuery({
    queryKey: ['checkpoint', props.name],
    queryFn: () =>
      unwrap<Checkpoint>(
        api.GET('/api/v1/ledger/{stream}/checkpoint', { params: { path: { stream: props.name } } }),
      ),
  });
  const verify = useMutation({
    mutationFn: () =>
      unwrap<Record<string, unknown>>(
        api.POST('/api/v1/ledger/{stream}/verify', { params: { path: { stream: props.name } } }),
      ),
  });
  const c = cp.data;
  // The verify route answers once at the end: show that it runs and for how long.
  const [started, setStarted] = useState(0);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!verify.isPending) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [verify.isPending]);
  const entries = Number(c?.treeSize ?? c?.size ?? 0);
  return (
    <Section title={`Stream ${props.name}`} id={`stream-${props.name}`}>
      {cp.isPending ? (
        <Loading what="the checkpoint" />
      ) : cp.isError ? (
        <ErrorNote error={cp.error} />
      ) : (
        <dl class="facts">
          <dt>Entries</dt>
          <dd>{String(c?.treeSize ?? c?.size ?? '—')}</dd>
          <dt>Root</dt>
          <dd class="mono">{String(c?.rootHash ?? c?.root ?? '—')}</dd>
          <dt>Checkpoint</dt>
          <dd>{time(String(c?.timestamp ?? c?.at ?? ''))}</dd>
        </dl>
      )}
      <p>
        <button
          type="button"
          class="primary"
          disabled={verify.isPending}
          onClick={() => {
            setStarted(Date.now());
            setNow(Date.now());
            verify.mutate();
          }}
        >
          {verify.isPending ? 'Verifying…' : 'Verify now'}
        </button>
      </p>
      {verify.isPending && (
        <p>
          <progress aria-label={`Verifying ${props.name}`} /> {entries} entries,{' '}
          {((now - started) / 1000).toFixed(1)} s so far
        </p>
      )}
      <div aria-live="polite">
        {verify.isError && <ErrorNote error={verify.error} />}
        {verify.data && <pre class="mono">{JSON.stringify(verify.data, null, 2)}</pre>}
      </div>
    </Section>
  );
}

export function LedgerPage() {
  const o = useQuery({
    queryKey: ['overview'],
    queryFn: () =>
      unwrap<{
        ledger: {
          streams: string[];
          stats: Record<string, unknown>;
          health: { checks: Record<string, unknown> } | null;
          witnesses?: Witness[];
        };
      }>(api.GET('/api/v1/console/overview')),
  });
  if (o.isPending) return <Loading what="the ledger" />;
  if (o.isError) return <ErrorNote error={o.error} />;
  const l = o.data.ledger;
  return (
    <>
      <h1>Ledger</h1>
      <Section title="Queue and health">
        <DataTable
          caption="Ledger counters"
          columns={['measure', 'value']}
          rows={Object.entries(l.stats ?? {}).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ])}
        />
        <DataTable
          caption="Health checks (witness included when configured)"
          columns={['check', 'state']}
          rows={Object.entries(l.health?.checks ?? {}).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ])}
        />
      </Section>
      <Section title="Witnesses">
        <DataTable
          caption="How far each witness is behind"
          columns={[
            'witness',
            'stream',
            'cosigned',
            'latest',
            'entries behind',
            'behind for',
            'error',
          ]}
          rows={(l.witnesses ?? []).map((w) => [
            <span class="mono">{w.url}</span>,
            w.stream,
            w.witnessedSize === null ? 'not yet' : String(w.witnessedSize),
            String(w.latestSize),
            String(w.entriesBehind),
            `${w.secondsBehind} s`,
            w.lastError ?? '',
          ])}
          empty="No witness configured (ledger.witnesses in aisoc.yaml)."
        />
      </Section>
      {l.streams.map((s) => (
        <Stream key={s} name={s} />
      ))}
    </>
  );
}
