import { useQuery } from '@tanstack/react-query';
import { useState } from 'preact/hooks';
import { useSearch } from 'wouter-preact';
import { api, unwrap } from '../api/client';
import { ErrorNote, Loading, Section, time } from '../components/ui';
import { VirtualTable } from '../components/virtual-table';
import { eventQuery, NO_EVENT_FILTER, type EventFilter } from '../logic/filters';

interface EventRow {
  id?: string;
  time?: string;
  model?: string;
  version?: string;
  principal?: string;
  keyId?: string;
  key?: string;
  source?: string;
  status?: number;
  outcome?: string;
  latencyMs?: number;
  [k: string]: unknown;
}

const FIELDS: readonly (keyof EventFilter)[] = [
  'model',
  'principal',
  'key',
  'source',
  'status',
  'outcome',
  'incident',
];

export function EventsPage() {
  const initial = new URLSearchParams(useSearch());
  const start: EventFilter = { ...NO_EVENT_FILTER };
  for (const f of FIELDS) (start as unknown as Record<string, string>)[f] = initial.get(f) ?? '';
  const [draft, setDraft] = useState<EventFilter>(start);
  const [filter, setFilter] = useState<EventFilter>(start);
  const q = useQuery({
    queryKey: ['events', filter],
    queryFn: () =>
      unwrap<{ events: EventRow[] }>(
        api.GET('/api/v1/events', {
          params: { query: eventQuery(filter) as Record<string, string> },
        }),
      ),
  });
  const field = (name: keyof EventFilter, label: string, type = 'text') => (
    <label key={name}>
      {label}
      <input
        type={type}
        name={name}
        value={String(draft[name])}
        onInput={(e) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <>
      <h1>Events</h1>
      <Section title="Search">
        <form
          class="filters"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ ...draft });
          }}
        >
          {field('model', 'Model')}
          {field('principal', 'Principal')}
          {field('key', 'Key id')}
          {field('source', 'Source address')}
          {field('status', 'Status (e.g. 4xx)')}
          {field('outcome', 'Outcome')}
          {field('incident', 'Incident')}
          {field('from', 'From', 'datetime-local')}
          {field('to', 'To', 'datetime-local')}
          {field('limit', 'At most', 'number')}
          <button type="submit" class="primary">
            Search
          </button>
        </form>
      </Section>
      {q.isPending ? (
        <Loading what="events" />
      ) : q.isError ? (
        <ErrorNote error={q.error} />
      ) : (
        <>
          <p role="status" data-testid="event-count">
            {q.data.events.length} events
          </p>
          <VirtualTable
            label="Inference events"
            rows={q.data.events}
            columns={[
              { name: 'time', width: '13em', cell: (e) => time(e.time as string) },
              {
                name: 'model',
                width: '9em',
                cell: (e) => `${e.model ?? ''}${e.version ? `@${e.version}` : ''}`,
              },
              { name: 'principal', width: '1fr', cell: (e) => String(e.principal ?? '') },
              { name: 'key', width: '1fr', cell: (e) => String(e.keyId ?? e.key ?? '') },
              {
                name: 'source',
                width: '8em',
                cell: (e) => String(e.source ?? e.sourceAddress ?? ''),
              },
              { name: 'status', width: '4em', cell: (e) => String(e.status ?? '') },
              { name: 'outcome', width: '8em', cell: (e) => String(e.outcome ?? '') },
            ]}
          />
        </>
      )}
    </>
  );
}
