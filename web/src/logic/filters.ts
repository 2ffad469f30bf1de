import { severityOf, type Incident, type Severity } from '../api/types';

/** What the incidents list can be narrowed by; empty fields narrow nothing. */
export interface IncidentFilter {
  text: string;
  severities: readonly Severity[];
  status: 'open' | 'closed' | 'all';
  model: string;
}

export const NO_FILTER: IncidentFilter = { text: '', severities: [], status: 'all', model: '' };

export const isOpen = (i: Incident): boolean => i.phase !== 'closed';

/** The incidents that pass every set field of the filter, most severe then newest first. */
export function filterIncidents(list: readonly Incident[], f: IncidentFilter): Incident[] {
  const text = f.text.trim().toLowerCase();
  const rank = (s: Severity) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(s);
  return list
    .filter((i) => f.status === 'all' || (f.status === 'open') === isOpen(i))
    .filter((i) => f.severities.length === 0 || f.severities.includes(severityOf(i)))
    .filter((i) => !f.model || i.assets.includes(f.model))
    .filter(
      (i) =>
        !text ||
        [i.id, i.title, ...(i.principals ?? []), ...i.atlasTechniques, ...i.owasp]
          .join(' ')
          .toLowerCase()
          .includes(text),
    )
    .sort(
      (a, b) => rank(severityOf(a)) - rank(severityOf(b)) || b.createdAt.localeCompare(a.createdAt),
    );
}

/** The filter as URL search parameters (so a filtered list can be bookmarked), and back. */
export function filterToQuery(f: IncidentFilter): string {
  const q = new URLSearchParams();
  if (f.text) q.set('q', f.text);
  if (f.severities.length) q.set('severity', f.severities.join(','));
  if (f.status !== 'all') q.set('status', f.status);
  if (f.model) q.set('model', f.model);
  return q.toString();
}

export function filterFromQuery(search: string): IncidentFilter {
  const q = new URLSearchParams(search);
  const status = q.get('status');
  const valid: readonly string[] = ['critical', 'high', 'medium', 'low', 'info'];
  return {
    text: q.get('q') ?? '',
    severities: (q.get('severity') ?? '')
      .split(',')
      .filter((s): s is Severity => valid.includes(s)),
    status: status === 'open' || status === 'closed' ? status : 'all',
    model: q.get('model') ?? '',
  };
}

/** The `aisoc events` filters as the query of GET /api/v1/events; blanks are left out. */
export interface EventFilter {
  model: string;
  principal: string;
  key: string;
  source: string;
  from: string;
  to: string;
  status: string;
  outcome: string;
  incident: string;
  limit: number;
}

export const NO_EVENT_FILTER: EventFilter = {
  model: '',
  principal: '',
  key: '',
  source: '',
  from: '',
  to: '',
  status: '',
  outcome: '',
  incident: '',
  limit: 1000,
};

export function eventQuery(f: EventFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) {
    const s = String(v).trim();
    if (!s) continue;
    // datetime-local inputs carry no zone: they are the viewer's local time.
    out[k] =
      (k === 'from' || k === 'to') && !/[zZ]|[+-]\d\d:?\d\d$/.test(s)
        ? new Date(s).toISOString()
        : s;
  }
  return out;
}
