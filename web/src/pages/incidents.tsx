import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { api, unwrap } from '../api/client';
import { SEVERITIES, severityOf, type Incident, type Severity } from '../api/types';
import { DataTable, ErrorNote, Loading, Section, time } from '../components/ui';
import {
  filterFromQuery,
  filterIncidents,
  filterToQuery,
  type IncidentFilter,
} from '../logic/filters';

export function IncidentsPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filter = filterFromQuery(search);
  const q = useQuery({
    queryKey: ['incidents'],
    queryFn: () =>
      unwrap<{ incidents: Incident[] }>(
        api.GET('/api/v1/incidents', { params: { query: { limit: 10_000 } } }),
      ),
  });
  const set = (patch: Partial<IncidentFilter>) => {
    const next = filterToQuery({ ...filter, ...patch });
    navigate(`/incidents${next ? `?${next}` : ''}`, { replace: true });
  };
  const shown = useMemo(
    () => (q.data ? filterIncidents(q.data.incidents, filter) : []),
    [q.data, search],
  );
  const models = [...new Set(q.data?.incidents.flatMap((i) => i.assets) ?? [])].sort();
  return (
    <>
      <h1>Incidents</h1>
      <Section title="Filters">
        <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <label>
            Search
            <input
              type="search"
              value={filter.text}
              onInput={(e) => set({ text: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            State
            <select
              value={filter.status}
              onChange={(e) =>
                set({ status: (e.target as HTMLSelectElement).value as IncidentFilter['status'] })
              }
            >
              <option value="all">all</option>
              <option value="open">open</option>
              <option value="closed">closed</option>
            </select>
          </label>
          <label>
            Severity
            <select
              value={filter.severities[0] ?? ''}
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value as Severity | '';
                set({ severities: v ? [v] : [] });
              }}
            >
              <option value="">any</option>
              {SEVERITIES.map((s) => (
                <option value={s} key={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Model
            <select
              value={filter.model}
              onChange={(e) => set({ model: (e.target as HTMLSelectElement).value })}
            >
              <option value="">any</option>
              {models.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
        </form>
      </Section>
      {q.isPending ? (
        <Loading what="incidents" />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : (
        <DataTable
          caption={`${shown.length} of ${q.data.incidents.length} incidents`}
          columns={['incident', 'severity', 'phase', 'models', 'opened', 'alerts']}
          rows={shown.map((i) => [
            <Link href={`/incidents/${i.id}`}>{i.title}</Link>,
            <span class={`sev ${severityOf(i)}`}>{severityOf(i)}</span>,
            i.phase,
            i.assets.join(', '),
            time(i.createdAt),
            String(i.alertCount ?? ''),
          ])}
          empty="No incidents match."
        />
      )}
    </>
  );
}
