import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../core/index.js';
import type { Database, Store } from '../store/index.js';
import { signCheckpoint } from './checkpoint.js';
import { createMerkleFrontier, type MerkleFrontier } from './merkle-frontier.js';
import { hashLeaf } from './merkle-hash.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import type { NoteSigner } from './signed-note.js';

// How the writer packs entries for the worker: one string per batch, records separated by
// '\n', fields by U+0001. Neither can occur in canonical JSON (it escapes control characters)
// nor in a time (leafTemplate refuses control characters there).
export const RECORD_SEPARATOR = '\n';
export const FIELD_SEPARATOR = '\u0001';

/** Entries of one stream, packed as `time \x01 head \x01 tail` records joined by '\n'. */
export interface CommitRequest {
  readonly stream: string;
  readonly records: string;
}

export interface CheckpointPolicy {
  /** Sign a checkpoint once this many entries are not covered by one. */
  readonly entries: number;
  /** ... or once the oldest uncovered entry is this old. */
  readonly ms: number;
}

export interface LedgerCommitterOptions {
  readonly store: Store;
  readonly signer: NoteSigner;
  /** Checkpoint origin prefix; each stream's log is `<origin>/<stream>`. */
  readonly origin: string;
  readonly checkpointEvery: CheckpointPolicy;
  readonly clock: Clock;
}

interface StreamState {
  frontier: MerkleFrontier;
  checkpointSize: number;
  /** When the first entry not covered by a checkpoint was committed. */
  uncoveredSince: number;
}

/** The worker's side of the writer: commits batches, keeps the frontiers, signs checkpoints. */
export interface LedgerCommitter {
  /** Commits all requests in one transaction; returns the first seq given to each request. */
  commit(requests: readonly CommitRequest[]): Promise<number[]>;
  /** Signs a checkpoint for every stream with entries not covered by one and due per policy. */
  checkpointDue(force: boolean): Promise<void>;
  /**
   * Loads each stream's head and signs a checkpoint over entries a previous writer left
   * uncovered (a crash tail); the streams are then covered by flush and close too.
   */
  signTails(streams: readonly string[]): Promise<void>;
}

const INSERT_CHUNK = 1000; // rows per INSERT: 5,000 parameters, under both engines' limits

/** Creates a committer; heads are read inside each transaction, so several writers may share a store. */
export function createLedgerCommitter(options: LedgerCommitterOptions): LedgerCommitter {
  const { store, clock } = options;
  const states = new Map<string, StreamState>();

  async function lockedState(trx: Transaction<Database>, stream: string): Promise<StreamState> {
    const cached = states.get(stream);
    // A stream this committer has written to has its head row already: one statement, not two.
    if (!cached) {
      const now = new Date(clock.now()).toISOString();
      await trx
        .insertInto('ledger_heads')
        .values({ stream, tree_size: 0, frontier: '[]', updated_at: now })
        .onConflict((oc) => oc.column('stream').doNothing())
        .execute();
    }
    const { rows } = await trx.executeQuery<{ tree_size: number | string; frontier: string }>(
      CompiledQuery.raw(HEAD_SQL[store.driver].select, [stream]),
    );
    const head = rows[0];
    if (!head) {
      throw ledgerError(
        LedgerErrorCodes.CHAIN_BROKEN,
        `ledger_heads lost its row for stream ${stream} while the writer ran`,
      );
    }
    if (cached && cached.frontier.size === Number(head.tree_size)) return cached;
    // First use, or another writer moved the head: resume from the stored frontier.
    const frontier = createMerkleFrontier(
      Number(head.tree_size),
      JSON.parse(head.frontier) as string[],
    );
    const checkpointSize = await lastCheckpointSize(trx, stream);
    return { frontier, checkpointSize, uncoveredSince: clock.now() };
  }

  async function appendRows(
    trx: Transaction<Database>,
    stream: string,
    frontier: MerkleFrontier,
    records: string,
  ): Promise<number> {
    const first = frontier.size;
    let params: unknown[] = [];
    for (let start = 0; start <= records.length;) {
      let end = records.indexOf(RECORD_SEPARATOR, start);
      if (end < 0) end = records.length;
      const f1 = records.indexOf(FIELD_SEPARATOR, start);
      const f2 = records.indexOf(FIELD_SEPARATOR, f1 + 1);
      const seq = frontier.size;
      const payload = records.slice(f1 + 1, f2) + seq + records.slice(f2 + 1, end);
      const leaf = hashLeaf(payload);
      frontier.append(leaf);
      params.push(stream, seq, records.slice(start, f1), leaf.toString('hex'), payload);
      if (params.length === INSERT_CHUNK * 5) {
        await trx.executeQuery(insertEntries(store.driver, params));
        params = [];
      }
      start = end + 1;
    }
    if (params.length > 0) await trx.executeQuery(insertEntries(store.driver, params));
    return first;
  }

  async function writeCheckpoint(
    trx: Kysely<Database>,
    stream: string,
    state: StreamState,
  ): Promise<void> {
    const size = state.frontier.size;
    const root = state.frontier.root();
    const note = signCheckpoint(
      { origin: `${options.origin}/${stream}`, size, root },
      options.signer,
    );
    const time = new Date(clock.now()).toISOString();
    await trx
      .insertInto('ledger_checkpoints')
      .values({ stream, tree_size: size, root_hash: root.toString('hex'), time, note })
      .execute();
    state.checkpointSize = size;
  }

  function due(state: StreamState, force: boolean): boolean {
    const uncovered = state.frontier.size - state.checkpointSize;
    if (uncovered <= 0) return false;
    const { entries, ms } = options.checkpointEvery;
    return force || uncovered >= entries || clock.now() - state.uncoveredSince >= ms;
  }

  async function commitStream(
    trx: Transaction<Database>,
    stream: string,
    batch: readonly CommitRequest[],
    firsts: Map<CommitRequest, number>,
  ): Promise<StreamState> {
    const locked = await lockedState(trx, stream);
    // Work on copies: if the transaction fails, the cached state must stay as it was.
    const state = { ...locked, frontier: locked.frontier.clone() };
    if (state.frontier.size === state.checkpointSize) state.uncoveredSince = clock.now();
    for (const request of batch)
      firsts.set(request, await appendRows(trx, stream, state.frontier, request.records));
    if (due(state, false)) await writeCheckpoint(trx, stream, state);
    const frontier = JSON.stringify(state.frontier.toHex());
    const now = new Date(clock.now()).toISOString();
    await trx.executeQuery(
      CompiledQuery.raw(HEAD_SQL[store.driver].update, [
        state.frontier.size,
        frontier,
        now,
        stream,
      ]),
    );
    return state;
  }

  return {
    async commit(requests) {
      const byStream = new Map<string, CommitRequest[]>();
      for (const r of requests) byStream.set(r.stream, [...(byStream.get(r.stream) ?? []), r]);
      const firsts = new Map<CommitRequest, number>();
      // Streams in sorted order, so two writers lock heads in the same order (no deadlock).
      const streams = [...byStream.keys()].sort();
      const next = await store.db.transaction().execute(async (trx) => {
        const out: [string, StreamState][] = [];
        for (const stream of streams)
          out.push([stream, await commitStream(trx, stream, byStream.get(stream)!, firsts)]);
        return out;
      });
      for (const [stream, state] of next) states.set(stream, state);
      return requests.map((r) => firsts.get(r)!);
    },

    async checkpointDue(force) {
      for (const [stream, cached] of states) {
        if (!due(cached, force)) continue;
        const state = await store.db.transaction().execute(async (trx) => {
          const locked = await lockedState(trx, stream);
          const copy = { ...locked };
          if (due(copy, true)) await writeCheckpoint(trx, stream, copy);
          return copy;
        });
        states.set(stream, state);
      }
    },

    async signTails(streams) {
      for (const stream of [...streams].sort()) {
        const state = await store.db.transaction().execute(async (trx) => {
          const locked = await lockedState(trx, stream);
          const copy = { ...locked };
          if (due(copy, true)) await writeCheckpoint(trx, stream, copy);
          return copy;
        });
        states.set(stream, state);
      }
    },
  };
}

// The head's two statements of every transaction, written out: the query builder's work per
// statement showed in profiles of small (durable) commits. PostgreSQL locks the head row so
// that writers of one stream take turns and seq stays contiguous; SQLite's BEGIN IMMEDIATE
// (the store's default) already holds the one write lock.
const HEAD_SQL: Record<Store['driver'], { select: string; update: string }> = {
  sqlite: {
    select: 'select tree_size, frontier from ledger_heads where stream = ?',
    update: 'update ledger_heads set tree_size = ?, frontier = ?, updated_at = ? where stream = ?',
  },
  postgres: {
    select: 'select tree_size, frontier from ledger_heads where stream = $1 for update',
    update:
      'update ledger_heads set tree_size = $1, frontier = $2, updated_at = $3 where stream = $4',
  },
};

// The INSERT text for each row count, built once: the query builder's per-row work showed in
// profiles, and the statement never changes but for its length.
const insertTexts = new Map<string, string>();

function insertEntries(driver: Store['driver'], params: unknown[]): CompiledQuery {
  const rows = params.length / 5;
  const cacheKey = `${driver}:${rows}`;
  let text = insertTexts.get(cacheKey);
  if (text === undefined) {
    const tuples = Array.from({ length: rows }, (_, r) =>
      driver === 'postgres'
        ? `($${r * 5 + 1}, $${r * 5 + 2}, $${r * 5 + 3}, $${r * 5 + 4}, $${r * 5 + 5})`
        : '(?, ?, ?, ?, ?)',
    );
    text = `insert into ledger_entries (stream, seq, time, leaf_hash, payload) values ${tuples.join(', ')}`;
    insertTexts.set(cacheKey, text);
  }
  return CompiledQuery.raw(text, params);
}

async function lastCheckpointSize(db: Kysely<Database>, stream: string): Promise<number> {
  const row = await db
    .selectFrom('ledger_checkpoints')
    .select((eb) => eb.fn.max('tree_size').as('size'))
    .where('stream', '=', stream)
    .executeTakeFirst();
  return row?.size === null || row?.size === undefined ? 0 : Number(row.size);
}
