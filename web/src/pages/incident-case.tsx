// The parts of the incident page that take a case from containment to report without the
// CLI: phase and closing, notification clocks, affected decisions (impact), and evidence
// with its custody and the bundle download.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'preact/hooks';
import { api, fetchBytes, saveFile, unwrap } from '../api/client';
import type { Evidence, Incident } from '../api/types';
import { DataTable, duration, ErrorNote, Loading, Section, time, useCan } from '../components/ui';
import { tarArchive } from '../logic/tar';

const PHASES = ['detected', 'analysing', 'contained', 'eradicated', 'recovered', 'closed'];

/** Moves the incident forward through the NIST phases; closing is the last step. */
export function PhasePanel(props: { incident: Incident }) {
  const can = useCan();
  const client = useQueryClient();
  const i = props.incident;
  const later = PHASES.slice(PHASES.indexOf(i.phase) + 1);
  const [next, setNext] = useState(later[0] ?? '');
  const move = useMutation({
    mutationFn: (phase: string) =>
      unwrap(
        api.POST('/api/v1/incidents/{id}/phase', {
          params: { path: { id: i.id } },
          body: { phase: phase as 'closed' },
        }),
      ),
    onSettled: () => client.invalidateQueries(),
  });
  useEffect(() => setNext(later[0] ?? ''), [i.phase]);
  return (
    <Section title="Phase">
      <p>
        Now <strong data-testid="phase-now">{i.phase}</strong>
        {i.disposition ? ` (disposed as ${i.disposition.kind}: ${i.disposition.reason})` : ''}.
      </p>
      {move.isError && <ErrorNote error={move.error} />}
      {can('incidents.write') && later.length > 0 && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            move.mutate(next);
          }}
        >
          <label>
            Move to
            <select value={next} onChange={(e) => setNext((e.target as HTMLSelectElement).value)}>
              {later.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={move.isPending}>
            Move
          </button>
          <button
            type="button"
            class="primary"
            disabled={move.isPending}
            onClick={() => move.mutate('closed')}
          >
            Close incident
          </button>
        </form>
      )}
    </Section>
  );
}

interface Clock {
  id: string;
  regulation: string;
  article: string;
  audience: string;
  armed: boolean;
  deadline: string | null;
  status: string;
}

/** The notification clocks of the incident, counting down each second while the page is open. */
export function ClocksPanel(props: { id: string }) {
  const q = useQuery({
    queryKey: ['incident', props.id, 'clocks'],
    queryFn: () =>
      unwrap<{ awareAt: string; clocks: Clock[] }>(
        api.GET('/api/v1/incidents/{id}/clocks', { params: { path: { id: props.id } } }),
      ),
  });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <Section title="Notification clocks">
      {q.isPending && <Loading what="the clocks" />}
      {q.isError && <ErrorNote error={q.error} />}
      {q.data && (
        <>
          <p>Aware since {time(q.data.awareAt)}.</p>
          <DataTable
            caption="Notification deadlines"
            columns={['duty', 'to', 'deadline', 'left', 'state']}
            rows={q.data.clocks.map((c) => {
              const left = c.deadline ? Date.parse(c.deadline) - now : null;
              return [
                c.article,
                c.audience,
                time(c.deadline),
                left === null ? '—' : left < 0 ? `overdue by ${duration(-left)}` : duration(left),
                c.status.replace('_', ' '),
              ];
            })}
            empty="No notification duty applies to this incident's models (no regulation tags)."
          />
        </>
      )}
    </Section>
  );
}

interface ImpactResult {
  summary: {
    model: string;
    version: string;
    goodVersion: string;
    goodDigest: string;
    events: number;
    decisions: number;
    flips: number;
    unscorable: number;
    subjects: number;
    byPrincipal: Record<string, { decisions: number; flips: number }>;
    byFlip: Record<string, number>;
  };
  flips: {
    requestId: string;
    time: string;
    principal: string | null;
    subject: string | null;
    answerLabel: number | null;
    goodLabel: number;
  }[];
  evidence: { decisions: { digest: string } };
}

/**
 * Affected decisions: the suspect version's answers re-scored on the known-good version
 * (`aisoc impact --incident`), with earlier results kept as evidence.
 */
export function ImpactPanel(props: { id: string; evidence: Evidence[] }) {
  const can = useCan();
  const client = useQueryClient();
  const [version, setVersion] = useState('');
  const [good, setGood] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap<ImpactResult>(
        api.POST('/api/v1/incidents/{id}/impact', {
          params: { path: { id: props.id } },
          body: { ...(version ? { version } : {}), ...(good ? { good } : {}) },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: ['incident', props.id] }),
  });
  const earlier = props.evidence.filter((e) => e.kind === 'impact');
  const r = run.data;
  return (
    <Section title="Affected decisions">
      <DataTable
        caption="Impact analyses attached to this incident"
        columns={['result', 'when', 'digest']}
        rows={earlier.map((e) => [
          String(e.description ?? ''),
          time(e.createdAt),
          <span class="mono">{e.digest}</span>,
        ])}
        empty="No impact analysis yet."
      />
      {can('incidents.write') && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate();
          }}
        >
          <label>
            Suspect version
            <input
              value={version}
              placeholder="the one that served"
              onInput={(e) => setVersion((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            Known-good version
            <input
              value={good}
              placeholder="from the alert"
              onInput={(e) => setGood((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="primary" disabled={run.isPending}>
            {run.isPending ? 'Re-scoring…' : 'Run impact analysis'}
          </button>
        </form>
      )}
      {run.isError && <ErrorNote error={run.error} />}
      {r && (
        <div data-testid="impact-result">
          <p>
            <strong>
              {r.summary.flips} of {r.summary.decisions}
            </strong>{' '}
            decisions of {r.summary.model}@{r.summary.version} flip on {r.summary.goodVersion} (
            {r.summary.events} events, {r.summary.unscorable} without features, {r.summary.subjects}{' '}
            data subjects). Every decision is attached as evidence{' '}
            <span class="mono">{r.evidence.decisions.digest}</span>.
          </p>
          <DataTable
            caption="Decisions per principal"
            columns={['principal', 'decisions', 'flipped']}
            rows={Object.entries(r.summary.byPrincipal).map(([p, t]) => [
              p,
              String(t.decisions),
              String(t.flips),
            ])}
          />
          <DataTable
            caption={`Flipped decisions (first ${r.flips.length})`}
            columns={['time', 'principal', 'subject', 'answered', 'known-good', 'request']}
            rows={r.flips.map((f) => [
              time(f.time),
              f.principal ?? '—',
              f.subject ?? '—',
              String(f.answerLabel ?? '—'),
              String(f.goodLabel),
              <span class="mono">{f.requestId}</span>,
            ])}
            empty="No decision flips."
          />
        </div>
      )}
    </Section>
  );
}

interface Custody {
  items: {
    evidenceId: string;
    digest: string;
    custody: { seq: number; at: string; type: string; actor: string; recipient: string | null }[];
  }[];
}

interface Bundle {
  manifestDigest: string;
  files: Record<string, string>;
  items: { file: string; digest: string }[];
}

/**
 * The folder `aisoc evidence export` writes, as one tar file: the signed manifest, custody
 * entries with inclusion proofs, the public key and every item's bytes.
 */
async function exportBundle(incidentId: string, recipient: string): Promise<string> {
  const bundle = await unwrap<Bundle>(
    api.POST('/api/v1/incidents/{id}/evidence/bundle', {
      params: { path: { id: incidentId } },
      body: { recipient },
    }),
  );
  const root = `${incidentId}-evidence`;
  const files: [string, Uint8Array | string][] = Object.entries(bundle.files).map(([f, t]) => [
    `${root}/${f}`,
    t,
  ]);
  for (const item of bundle.items)
    files.push([
      `${root}/${item.file}`,
      await fetchBytes(
        `/api/v1/evidence/${encodeURIComponent(item.digest)}/content?incident=${encodeURIComponent(incidentId)}`,
      ),
    ]);
  saveFile(tarArchive(files), `${root}.tar`, 'application/x-tar');
  return bundle.manifestDigest;
}

/** Evidence with digests and the custody history of each item; the bundle download. */
export function EvidencePanel(props: { id: string; evidence: Evidence[] }) {
  const can = useCan();
  const client = useQueryClient();
  const [recipient, setRecipient] = useState('');
  const custody = useQuery({
    queryKey: ['incident', props.id, 'custody', props.evidence.length],
    queryFn: () =>
      unwrap<Custody>(
        api.GET('/api/v1/incidents/{id}/custody', { params: { path: { id: props.id } } }),
      ),
  });
  const exported = useMutation({
    mutationFn: () => exportBundle(props.id, recipient),
    onSettled: () => client.invalidateQueries({ queryKey: ['incident', props.id] }),
  });
  const historyOf = (id: unknown) =>
    custody.data?.items.find((c) => c.evidenceId === id)?.custody ?? [];
  return (
    <Section title="Evidence and custody">
      {custody.isError && <ErrorNote error={custody.error} />}
      <DataTable
        caption="Evidence items"
        columns={['kind', 'description', 'digest', 'size', 'custody']}
        rows={props.evidence.map((e) => [
          e.kind,
          String(e.description ?? e.label ?? ''),
          <span class="mono">{e.digest}</span>,
          e.size === undefined ? '—' : `${e.size} B`,
          <ol class="custody" aria-label={`Custody of ${e.digest}`}>
            {historyOf(e.id).map((c) => (
              <li key={c.seq}>
                {time(c.at)} {c.type.replace('_', ' ')} by {c.actor}
                {c.recipient && c.recipient !== c.actor ? ` to ${c.recipient}` : ''} (ledger #
                {c.seq})
              </li>
            ))}
            {custody.isPending && <li>…</li>}
          </ol>,
        ])}
        empty="No evidence collected."
      />
      {can('evidence.read') && props.evidence.length > 0 && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            exported.mutate();
          }}
        >
          <label>
            Recipient
            <input
              value={recipient}
              required
              placeholder="who receives it (recorded)"
              onInput={(e) => setRecipient((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={exported.isPending}>
            Export evidence bundle (.tar)
          </button>
        </form>
      )}
      {exported.isError && <ErrorNote error={exported.error} />}
      {exported.data && (
        <p role="status">
          Bundle exported; manifest <span class="mono">{exported.data}</span>. Check it offline with{' '}
          <code>aisoc evidence verify</code> after <code>tar xf</code>.
        </p>
      )}
    </Section>
  );
}
