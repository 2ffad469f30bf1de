import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import {
  encodeEvents,
  eventRecord,
  ForensicsErrorCodes,
  forensicsError,
  listEvents,
  parseEventFilter,
  streamEvents,
  syncEventIndex,
  type EventFilter,
  type IndexedEvent,
  type RawEventQuery,
} from '../forensics/index.js';
import type { Store } from '../store/index.js';

/** What the event routes need: the store, and how an incident narrows the events. */
export interface EventServices {
  store: Store;
  /** The models, principals and time window of an incident; throws when there is none. */
  incidentScope(incidentId: string): Promise<EventFilter>;
  /** Rewrites events before they are answered (privacy: sealed fields of erased subjects). */
  view?(events: IndexedEvent[]): Promise<IndexedEvent[]>;
}

const FIELDS = [
  'model',
  'version',
  'principal',
  'key',
  'source',
  'from',
  'to',
  'status',
  'outcome',
  'afterSeq',
  'order',
  'limit',
] as const;
const MEDIA = { jsonl: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' } as const;

async function filterOf(c: Context, services: EventServices, maxLimit: number) {
  const raw: RawEventQuery = {};
  for (const f of FIELDS) raw[f] = c.req.query(f);
  const filter = parseEventFilter(raw, maxLimit);
  const incident = c.req.query('incident');
  if (incident === undefined) return filter;
  const scope = await services.incidentScope(incident.slice(0, 128));
  // The incident narrows the query; a field given explicitly narrows it further.
  return {
    ...scope,
    ...filter,
    from: [scope.from, filter.from].filter(Boolean).sort().at(-1),
    to: [scope.to, filter.to].filter(Boolean).sort().at(0),
  } as EventFilter;
}

/**
 * `GET /api/v1/events`: inference events from the indexed ledger, filtered by model, version,
 * principal, key, source, time, status, outcome or incident. `format=json` (default) answers
 * `{ events }` with at most 10,000 (newest `limit` when no start is given, oldest first);
 * `format=jsonl|csv` streams every match in time order.
 */
export function createEventRoutes(services: EventServices) {
  const app = new Hono();
  app.get('/api/v1/events', async (c) => {
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'jsonl' && format !== 'csv')
      throw forensicsError(
        ForensicsErrorCodes.FORENSICS_FILTER_INVALID,
        'format: expected json, jsonl or csv',
        { details: { field: 'format' } },
      );
    await syncEventIndex(services.store);
    if (format === 'json') {
      const filter = await filterOf(c, services, 10_000);
      const limit = filter.limit ?? 100;
      const newest =
        filter.from === undefined && filter.afterSeq === undefined && filter.order === undefined;
      const found = await listEvents(services.store, {
        ...filter,
        limit,
        ...(newest ? { order: 'desc' } : {}),
      });
      if (newest) found.reverse();
      const shown = services.view ? await services.view(found) : found;
      return c.json({ events: shown.map((e) => eventRecord(e)) });
    }
    const filter = await filterOf(c, services, Number.MAX_SAFE_INTEGER);
    c.header('content-type', MEDIA[format]);
    return stream(c, async (out) => {
      const events = streamEvents(services.store, filter);
      for await (const chunk of encodeEvents(viewed(events, services.view), format))
        await out.write(chunk);
    });
  });
  return app;
}

/** The stream in pages of 500 through `view`, when there is one. */
async function* viewed(
  events: AsyncIterable<IndexedEvent>,
  view: EventServices['view'],
): AsyncGenerator<IndexedEvent> {
  if (!view) return yield* events;
  let page: IndexedEvent[] = [];
  for await (const e of events) {
    page.push(e);
    if (page.length >= 500) {
      yield* await view(page);
      page = [];
    }
  }
  if (page.length > 0) yield* await view(page);
}
