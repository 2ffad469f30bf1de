import { sql } from 'kysely';
import { canonicalJson } from '../core/index.js';
import type { Store } from '../store/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';

// Verifiable pruning (issue 19, retention): an entry's payload is replaced by a marker naming
// only its stream, seq and time; its leaf hash and every checkpoint stay, so the tree still
// hashes to each signed root and inclusion and consistency proofs still work. Only a prefix of
// a stream that a signed checkpoint covers is pruned, and each prune is a row of the
// append-only `ledger_prunes` table, which the database's trigger checks before it lets the
// payload change.

const MARKER_HEAD = '{"pruned":true,';
const UPDATE_CHUNK = 5000;

/** The payload a pruned entry keeps: canonical JSON of its stream, seq and time, marked pruned. */
export function prunedPayload(stream: string, seq: number, time: string): string {
  return canonicalJson({ pruned: true, seq, stream, time });
}

/** Whether a stored payload is a pruned marker (consumers skip these entries). */
export function isPrunedPayload(payload: string): boolean {
  return payload.startsWith(MARKER_HEAD);
}

/** One recorded prune: entries [fromSeq, toSeq) of a stream lost their payloads. */
export interface LedgerPrune {
  readonly stream: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly before: string;
  readonly prunedAt: string;
  readonly actor: string;
  readonly reason: string;
}

/** The recorded prunes of a stream, oldest first. */
export async function listPrunes(store: Store, stream: string): Promise<LedgerPrune[]> {
  const rows = await store.db
    .selectFrom('ledger_prunes')
    .selectAll()
    .where('stream', '=', stream)
    .orderBy('to_seq')
    .execute();
  return rows.map((r) => ({
    stream: r.stream,
    fromSeq: Number(r.from_seq),
    toSeq: Number(r.to_seq),
    before: r.before,
    prunedAt: r.pruned_at,
    actor: r.actor,
    reason: r.reason,
  }));
}

/** Entries below this seq of a stream are pruned (0 when none is). */
export async function prunedEnd(store: Store, stream: string): Promise<number> {
  const row = await store.db
    .selectFrom('ledger_prunes')
    .select((eb) => eb.fn.max('to_seq').as('end'))
    .where('stream', '=', stream)
    .executeTakeFirst();
  return row?.end === null || row?.end === undefined ? 0 : Number(row.end);
}

export interface PruneRequest {
  readonly stream: string;
  /** ISO 8601 time: entries whose time is before it are pruned. */
  readonly before: string;
  readonly actor: string;
  readonly reason: string;
  /** The time recorded as `pruned_at` (default: now). */
  readonly now?: Date;
  /**
   * Called with the range before any payload is touched, so the prune is recorded (in the
   * audit ledger) before data goes; if it throws, nothing is pruned.
   */
  readonly record?: (plan: PrunePlan) => Promise<void>;
}

/** What a prune will do (or did): entries [fromSeq, toSeq) of `stream`, under `checkpointSize`. */
export interface PrunePlan {
  readonly stream: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly before: string;
  /** The signed checkpoint covering the range, whose root still proves every pruned leaf. */
  readonly checkpointSize: number;
  readonly checkpointRoot: string | null;
  /**
   * SQLite: whether the WAL was emptied after the prune (false while another connection reads
   * it; run truncateSqliteWal again once it is closed); null on PostgreSQL or when nothing was
   * pruned.
   */
  readonly walTruncated: boolean | null;
}

/** Parses `before` (an ISO date or date-time) into the canonical ISO form entries carry. */
export function pruneBefore(text: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? Date.parse(text)
    : NaN;
  if (Number.isNaN(ms))
    throw ledgerError(
      LedgerErrorCodes.PRUNE_INVALID,
      `--before: "${text}" is not an ISO 8601 date or date-time (e.g. 2026-01-31 or 2026-01-31T00:00:00Z)`,
    );
  return new Date(ms).toISOString();
}

/**
 * Prunes the payloads of a stream's entries older than `before`: the longest prefix (after
 * the last prune) of entries whose time is before it and that the latest signed checkpoint
 * covers. An entry at or after `before` ends the prefix (entries are kept in seq order), so an
 * out-of-order old entry behind a newer one waits for a later prune.
 */
export async function pruneLedger(store: Store, request: PruneRequest): Promise<PrunePlan> {
  const { stream } = request;
  const before = pruneBefore(request.before);
  if (request.reason.trim().length < 3)
    throw ledgerError(
      LedgerErrorCodes.PRUNE_INVALID,
      'reason: say why the payloads are pruned (at least 3 characters); it is recorded',
    );
  const checkpoint = await store.db
    .selectFrom('ledger_checkpoints')
    .select(['tree_size', 'root_hash'])
    .where('stream', '=', stream)
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  const covered = checkpoint ? Number(checkpoint.tree_size) : 0;
  const fromSeq = await prunedEnd(store, stream);
  // The first entry from fromSeq on that is not old enough ends the prefix.
  const young = await store.db
    .selectFrom('ledger_entries')
    .select('seq')
    .where('stream', '=', stream)
    .where('seq', '>=', fromSeq)
    .where('seq', '<', covered)
    .where('time', '>=', before)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const toSeq = young ? Number(young.seq) : Math.max(fromSeq, covered);
  const plan: PrunePlan = {
    stream,
    fromSeq,
    toSeq,
    before,
    checkpointSize: covered,
    checkpointRoot: checkpoint?.root_hash ?? null,
    walTruncated: null,
  };
  if (toSeq <= fromSeq) return plan;
  await request.record?.(plan);
  if (store.driver === 'sqlite') await sql`PRAGMA secure_delete = ON`.execute(store.db);
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ledger_prunes')
      .values({
        stream,
        from_seq: fromSeq,
        to_seq: toSeq,
        before,
        pruned_at: (request.now ?? new Date()).toISOString(),
        actor: request.actor,
        reason: request.reason,
      })
      .execute();
    for (let from = fromSeq; from < toSeq; from += UPDATE_CHUNK) {
      const to = Math.min(from + UPDATE_CHUNK, toSeq);
      const rows = await trx
        .selectFrom('ledger_entries')
        .select(['seq', 'time'])
        .where('stream', '=', stream)
        .where('seq', '>=', from)
        .where('seq', '<', to)
        .execute();
      for (const row of rows)
        await trx
          .updateTable('ledger_entries')
          .set({ payload: prunedPayload(stream, Number(row.seq), row.time) })
          .where('stream', '=', stream)
          .where('seq', '=', row.seq)
          .execute();
    }
  });
  // secure_delete zeroes the cells the update freed, but SQLite leaves stale copies of rows in
  // the unused space of other pages (from page splits before the prune); VACUUM rewrites the
  // file from the live rows only. It costs a pass over the whole database (docs/privacy.md).
  if (store.driver === 'sqlite') await sql`VACUUM`.execute(store.db);
  return { ...plan, walTruncated: await truncateSqliteWal(store) };
}

// The old payloads were zeroed in freed pages (secure_delete); a TRUNCATE checkpoint empties
// the WAL, whose frames would otherwise still hold the pages as they were before.
// Until then the main file may still hold the old pages (the pruned ones wait in the WAL).
export async function truncateSqliteWal(store: Store): Promise<boolean | null> {
  if (store.driver !== 'sqlite') return null;
  for (let attempt = 0; attempt < 40; attempt++) {
    const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    if (rows[0] && Number(rows[0].busy) === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
