import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { InferenceEvent } from '../core/index.js';
import { isPrunedPayload, prunedEnd, readEntries } from '../ledger/index.js';
import type { Database, Store } from '../store/index.js';
import type { EventFilter } from './event-filter.js';

/** The forensics tables (created by the store's `0004_forensics` migration). */
export type ForensicsTables = {
  inference_index: {
    seq: number;
    time: string;
    model: string;
    model_version: string | null;
    principal: string | null;
    key_id: string | null;
    source_address: string;
    status: number;
    outcome: string;
    request_id: string;
  };
};
type Db = Kysely<Database & ForensicsTables>;

/** One inference event with its place in the `inference` ledger. */
export interface IndexedEvent {
  seq: number;
  event: InferenceEvent;
}

const READ_PAGE = 5000;
const INSERT_ROWS = 500; // 10 parameters a row: well under SQLite's and PostgreSQL's limits
const syncing = new WeakMap<Store, Promise<number>>();

/** The index row of the inference event at ledger `seq` (what `syncEventIndex` stores). */
export function indexRowOf(seq: number, e: InferenceEvent): ForensicsTables['inference_index'] {
  return {
    seq,
    time: e.time,
    model: e.model,
    model_version: e.modelVersion,
    principal: e.principal,
    key_id: e.keyId,
    source_address: e.sourceAddress,
    status: e.status,
    outcome: e.outcome,
    request_id: e.requestId,
  };
}

async function syncOnce(store: Store): Promise<number> {
  const db = store.db as unknown as Db;
  const head = await db
    .selectFrom('inference_index')
    .select((eb) => eb.fn.max('seq').as('last'))
    .executeTakeFirst();
  let next = head?.last === null || head?.last === undefined ? 0 : Number(head.last) + 1;
  // Pruned events are not indexed (and their rows were dropped by forgetPrunedEvents).
  next = Math.max(next, await prunedEnd(store, 'inference'));
  let added = 0;
  for (;;) {
    const page = await readEntries(store, 'inference', { fromSeq: next, limit: READ_PAGE });
    if (page.length === 0) return added;
    const rows = page
      .filter((e) => !isPrunedPayload(e.payload))
      .map((e) => indexRowOf(e.seq, JSON.parse(e.payload) as InferenceEvent));
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_ROWS)
        await trx
          .insertInto('inference_index')
          .values(rows.slice(i, i + INSERT_ROWS))
          .onConflict((oc) => oc.column('seq').doNothing())
          .execute();
    });
    added += rows.length;
    next = page.at(-1)!.seq + 1;
  }
}

/**
 * Drops the index rows of events the `inference` ledger pruned (seq below `toSeq`): the index
 * repeats fields of each event (principal, key, source address), so retention must reach it.
 */
export async function forgetPrunedEvents(store: Store, toSeq: number): Promise<number> {
  const db = store.db as unknown as Db;
  const result = await db.deleteFrom('inference_index').where('seq', '<', toSeq).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Brings the query index up to the end of the `inference` ledger and returns how many events
 * it added. Calls on the same store run one after another; the index is derived data that
 * any process may rebuild, and rows already there are left as they are.
 */
export function syncEventIndex(store: Store): Promise<number> {
  const previous = syncing.get(store) ?? Promise.resolve(0);
  const run = previous.catch(() => 0).then(() => syncOnce(store));
  syncing.set(store, run);
  return run;
}

type Row = ForensicsTables['inference_index'];

/** Every condition of the filter over the index row `i`, and-ed (true when there are none). */
function matches(eb: ExpressionBuilder<{ i: Row }, 'i'>, filter: EventFilter) {
  const all: Expression<SqlBool>[] = [];
  if (filter.models?.length) all.push(eb('i.model', 'in', filter.models));
  if (filter.version !== undefined) all.push(eb('i.model_version', '=', filter.version));
  if (filter.principals?.length) all.push(eb('i.principal', 'in', filter.principals));
  if (filter.key !== undefined) all.push(eb('i.key_id', '=', filter.key));
  if (filter.source !== undefined) all.push(eb('i.source_address', '=', filter.source));
  if (filter.from !== undefined) all.push(eb('i.time', '>=', filter.from));
  if (filter.to !== undefined) all.push(eb('i.time', '<=', filter.to));
  if (filter.status !== undefined) all.push(eb('i.status', '=', filter.status));
  if (filter.outcome !== undefined) all.push(eb('i.outcome', '=', filter.outcome));
  if (filter.afterSeq !== undefined) all.push(eb('i.seq', '>', filter.afterSeq));
  return eb.and(all);
}

function filtered(db: Db, filter: EventFilter) {
  return db
    .selectFrom('inference_index as i')
    .innerJoin('ledger_entries as e', (join) =>
      join.on('e.stream', '=', 'inference').onRef('e.seq', '=', 'i.seq'),
    )
    .select(['i.seq', 'i.time', 'e.payload'])
    .where((eb) => matches(eb as unknown as ExpressionBuilder<{ i: Row }, 'i'>, filter));
}

/**
 * Streams the events matching `filter` in time order (ties by ledger seq), reading the index
 * in keyset pages so memory stays flat however many match. Call `syncEventIndex` first to
 * include the newest events.
 */
export async function* streamEvents(
  store: Store,
  filter: EventFilter,
  options: { pageSize?: number } = {},
): AsyncGenerator<IndexedEvent> {
  const db = store.db as unknown as Db;
  const desc = filter.order === 'desc';
  const pageSize = options.pageSize ?? 1000;
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  let cursor: { time: string; seq: number } | undefined;
  while (remaining > 0) {
    let q = filtered(db, filter);
    if (cursor) {
      const { time, seq } = cursor;
      q = q.where(
        // A row-value comparison, which both engines answer from the (…, time, seq) index.
        desc
          ? sql<boolean>`(i.time, i.seq) < (${time}, ${seq})`
          : sql<boolean>`(i.time, i.seq) > (${time}, ${seq})`,
      );
    }
    const rows = await q
      .orderBy('i.time', desc ? 'desc' : 'asc')
      .orderBy('i.seq', desc ? 'desc' : 'asc')
      .limit(Math.min(pageSize, remaining))
      .execute();
    for (const row of rows)
      yield { seq: Number(row.seq), event: JSON.parse(row.payload) as InferenceEvent };
    remaining -= rows.length;
    if (rows.length < pageSize) return;
    const last = rows.at(-1)!;
    cursor = { time: last.time, seq: Number(last.seq) };
  }
}

/** How many events match `filter` (its limit and order are ignored). */
export async function countEvents(store: Store, filter: EventFilter): Promise<number> {
  const row = await (store.db as unknown as Db)
    .selectFrom('inference_index as i')
    .select((eb) => eb.fn.countAll().as('n'))
    .where((eb) => matches(eb, filter))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The versions that answered events matching `filter`, most events first. */
export async function versionsServed(
  store: Store,
  filter: EventFilter,
): Promise<{ version: string; events: number }[]> {
  const rows = await (store.db as unknown as Db)
    .selectFrom('inference_index as i')
    .select((eb) => ['i.model_version', eb.fn.countAll().as('n')])
    .where((eb) => matches(eb, filter))
    .where('i.model_version', 'is not', null)
    .groupBy('i.model_version')
    .execute();
  return rows
    .map((r) => ({ version: r.model_version!, events: Number(r.n) }))
    .sort((a, b) => b.events - a.events || a.version.localeCompare(b.version));
}

/** The events matching `filter`, collected (use `streamEvents` for large answers). */
export async function listEvents(store: Store, filter: EventFilter): Promise<IndexedEvent[]> {
  const out: IndexedEvent[] = [];
  for await (const e of streamEvents(store, filter)) out.push(e);
  return out;
}
