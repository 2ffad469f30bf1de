import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, download, unwrap } from '../api/client';
import { severityOf, type IncidentDetail } from '../api/types';
import {
  DataTable,
  duration,
  ErrorNote,
  Loading,
  Section,
  SessionContext,
  time,
  useCan,
} from '../components/ui';
import { atlasUrl, owaspUrl } from '../logic/links';
import { assembleTimeline } from '../logic/timeline';
import { ClocksPanel, EvidencePanel, ImpactPanel, PhasePanel } from './incident-case';

function useAct() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSettled: () => client.invalidateQueries(),
  });
}

/** An ATLAS or OWASP id, linked to its description (a new tab: the case stays open). */
function TaxonomyId(props: { id: string; href: string | null }) {
  if (!props.href) return <span class="mono">{props.id}</span>;
  return (
    <a class="mono" href={props.href} target="_blank" rel="noopener noreferrer">
      {props.id}
    </a>
  );
}

export function IncidentPage(props: { id: string }) {
  const can = useCan();
  const session = useContext(SessionContext);
  const act = useAct();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const path = { path: { id: props.id } };
  const q = useQuery({
    queryKey: ['incident', props.id],
    queryFn: () => unwrap<IncidentDetail>(api.GET('/api/v1/incidents/{id}', { params: path })),
  });
  if (q.isPending) return <Loading what="the incident" />;
  if (q.isError) return <ErrorNote error={q.error} />;
  const d = q.data;
  const i = d.incident;
  const rows = assembleTimeline(d);
  const approvals = d.tasks.filter((t) => t.kind === 'approval' && t.status === 'open');
  const decide = (t: (typeof approvals)[number], decision: 'approved' | 'rejected') =>
    act.mutate(() =>
      unwrap(
        api.POST('/api/v1/approvals/{id}', {
          params: { path: { id: t.id } },
          body: { decision, role: String(t.role ?? session?.identity.role ?? 'admin') },
        }),
      ),
    );
  const tasks = d.tasks.filter((t) => t.kind !== 'approval');
  const closed = i.phase === 'closed';
  return (
    <>
      <p>
        <Link href="/incidents">← Incidents</Link>
      </p>
      <h1>{i.title}</h1>
      <div class="grid">
        <Section title="Summary">
          <dl class="facts">
            <dt>Id</dt>
            <dd class="mono">{i.id}</dd>
            <dt>Severity</dt>
            <dd>
              <span class={`sev ${severityOf(i)}`}>{severityOf(i)}</span>{' '}
              {i.severity.reasons.join('; ')}
            </dd>
            <dt>Phase</dt>
            <dd data-testid="phase">{i.phase}</dd>
            <dt>Models</dt>
            <dd>{i.assets.join(', ')}</dd>
            <dt>Assignee</dt>
            <dd>{i.assignee ?? '—'}</dd>
            <dt>Time to detect</dt>
            <dd>{duration(d.metrics.ttdMs)}</dd>
            <dt>Time to contain</dt>
            <dd data-testid="time-to-contain">
              {/* Alert → containment enforced; the phase-based figure only once "contained". */}
              {duration(i.timeToContainMs ?? d.metrics.ttcMs)}
            </dd>
            <dt>Time to the contained phase</dt>
            <dd>{duration(d.metrics.ttcMs)}</dd>
          </dl>
        </Section>
        <Section title="ATLAS and OWASP">
          <ul>
            {d.techniques.map((t) => (
              <li key={t.id}>
                <TaxonomyId id={t.id} href={atlasUrl(t.id)} /> {t.name ?? ''}{' '}
                {t.tactics?.length ? `(${t.tactics.join(', ')})` : ''}
              </li>
            ))}
            {d.owasp.map((o) => (
              <li key={o.id}>
                <TaxonomyId id={o.id} href={owaspUrl(o.id, o.title)} /> {o.title ?? ''}
              </li>
            ))}
          </ul>
        </Section>
        <Section title="Report">
          <div class="actions-row">
            <button
              type="button"
              onClick={() =>
                void download(
                  `/api/v1/incidents/${encodeURIComponent(i.id)}/report?format=md`,
                  `${i.id}.md`,
                )
              }
            >
              Download report (Markdown)
            </button>
            <button
              type="button"
              onClick={() =>
                void download(
                  `/api/v1/incidents/${encodeURIComponent(i.id)}/report?format=html`,
                  `${i.id}.html`,
                )
              }
            >
              Download report (HTML)
            </button>
          </div>
          <p>
            <Link href={`/events?incident=${encodeURIComponent(i.id)}`}>
              Events of this incident
            </Link>
          </p>
        </Section>
      </div>
      <div class="grid">
        <PhasePanel incident={i} />
        <ClocksPanel id={i.id} />
      </div>
      {act.isError && <ErrorNote error={act.error} />}
      <Section title="Pending approvals">
        <DataTable
          caption="Approvals waiting for a person"
          columns={['asks', 'role', 'decide']}
          rows={approvals.map((t) => [
            String(t.title ?? t.stepId ?? t.id),
            String(t.role ?? ''),
            can('approvals.decide') ? (
              <div class="actions-row">
                <button
                  type="button"
                  class="primary"
                  data-task={t.id}
                  disabled={act.isPending}
                  onClick={() => decide(t, 'approved')}
                >
                  Approve
                </button>
                <button
                  type="button"
                  disabled={act.isPending}
                  onClick={() => decide(t, 'rejected')}
                >
                  Reject
                </button>
              </div>
            ) : (
              'needs an approver'
            ),
          ])}
          empty="Nothing waits for approval."
        />
      </Section>
      <Section title="Containment actions">
        <DataTable
          caption="Actions taken for this incident"
          columns={['action', 'reason', 'by', 'applied', 'state']}
          rows={d.actions.map((a) => [
            <span class="mono">{`${a.action.kind} ${a.action.keyId ?? a.action.model ?? ''}`}</span>,
            a.reason,
            a.actor,
            time(a.appliedAt),
            a.liftedAt ? (
              `lifted ${time(a.liftedAt)}`
            ) : can('actions.write') ? (
              <button
                type="button"
                disabled={act.isPending}
                onClick={() =>
                  act.mutate(() =>
                    unwrap(
                      api.POST('/api/v1/actions/{id}/lift', { params: { path: { id: a.id } } }),
                    ),
                  )
                }
              >
                Lift
              </button>
            ) : (
              'active'
            ),
          ])}
          empty="No containment actions."
        />
        {can('actions.write') && !closed && (
          <form
            class="filters"
            onSubmit={(e) => {
              e.preventDefault();
              act.mutate(() =>
                unwrap(
                  api.POST('/api/v1/incidents/{id}/dispose', {
                    params: path,
                    body: { falsePositive: true, reason },
                  }),
                ),
              );
            }}
          >
            <label>
              Reason
              <input
                value={reason}
                required
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit" disabled={act.isPending}>
              Dispose as false positive
            </button>
          </form>
        )}
      </Section>
      <ImpactPanel id={i.id} evidence={d.evidence} />
      <Section title="Timeline">
        <ol class="timeline" aria-label="Timeline, oldest first">
          {rows.map((r, n) => (
            <li key={n}>
              <time dateTime={r.at}>{time(r.at)}</time> · <strong>{r.kind}</strong> · {r.title}
              {r.actor ? ` · ${r.actor}` : ''}
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Alerts and evidence">
        {d.alerts.map((a) => (
          <details key={a.id}>
            <summary>
              <span class={`sev ${a.severity}`}>{a.severity}</span> {a.detector}: {a.title} (
              {time(a.time)})
            </summary>
            <pre class="mono">{JSON.stringify(a.evidence, null, 2)}</pre>
          </details>
        ))}
      </Section>
      <EvidencePanel id={i.id} evidence={d.evidence} />
      <Section title="Tasks and notes">
        <DataTable
          caption="Tasks"
          columns={['task', 'state']}
          rows={tasks.map((t) => [String(t.title ?? t.id), t.status])}
          empty="No tasks."
        />
        {can('incidents.write') && (
          <form
            class="filters"
            onSubmit={(e) => {
              e.preventDefault();
              act.mutate(() =>
                unwrap(
                  api.POST('/api/v1/incidents/{id}/notes', { params: path, body: { text: note } }),
                ),
              );
              setNote('');
            }}
          >
            <label>
              Note
              <input
                value={note}
                required
                onInput={(e) => setNote((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit">Add note</button>
          </form>
        )}
      </Section>
    </>
  );
}
