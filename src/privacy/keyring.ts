import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, StoreDriver } from '../store/index.js';
import type { KeyWrapper } from './key-files.js';

/** The tables migration `0009_privacy` creates. */
export type PrivacyTables = {
  privacy_keys: { subject_ref: string; kek_id: string; wrapped: string; created_at: string };
  privacy_erasures: { subject_ref: string; erased_at: string };
};

/** The subject refs among `refs` whose data key was destroyed (no KEK needed: one lookup). */
export async function erasedSubjects(
  db: Kysely<Database>,
  refs: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const q = db as unknown as Kysely<Database & PrivacyTables>;
  for (let i = 0; i < refs.length; i += 500) {
    const rows = await q
      .selectFrom('privacy_erasures')
      .select('subject_ref')
      .where('subject_ref', 'in', refs.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.subject_ref);
  }
  return found;
}

export interface KeyringOptions {
  db: Kysely<Database>;
  driver: StoreDriver;
  wrapper: KeyWrapper;
  /** How long an unwrapped key stays in memory (ms). */
  cacheMs: number;
  /** At most this many unwrapped keys in memory; the oldest go first. */
  cacheSize?: number;
  now?: () => number;
}

/** What an erasure did to the stored bytes. */
export interface EraseOutcome {
  /** Whether a key row existed (false: nothing was ever sealed for the subject, or erased before). */
  keyDestroyed: boolean;
  /** SQLite: whether the WAL was checkpointed and truncated, so no old page holds the key. */
  walTruncated: boolean | null;
}

/** What createKeyring returns. */
export interface Keyring {
  cached: (ref: string) => Buffer | undefined;
  /** The subject's key, created when it has none. */
  ensure: (ref: string) => Promise<Buffer>;
  /** The subject's key, or undefined when it has none (never had one, or erased). */
  get: (ref: string) => Promise<Buffer | undefined>;
  /** Whether the subject's key was erased (recorded in `privacy_erasures`). */
  erased(refs: readonly string[]): Promise<Set<string>>;
  /** Destroys the subject's key: the row, and on SQLite the freed bytes in the file and WAL. */
  erase(ref: string): Promise<EraseOutcome>;
  /** Re-wraps every key under `next` (KEK rotation); returns how many were re-wrapped. */
  rotate(next: KeyWrapper): Promise<number>;
  /** How many keys are stored, and under which KEK ids. */
  stats(): Promise<{
    keys: number;
    kekIds: string[];
    erasures: number;
  }>;
  readonly wrapperId: string;
}

/**
 * Per-subject data keys (AES-256, crypto-shredding), wrapped by the KEK and kept in the
 * store; unwrapped keys are cached in memory for `cacheMs` so that sealing does not wait
 * for the database on the request path.
 */
export function createKeyring(options: KeyringOptions): Keyring {
  const q = options.db.withTables<PrivacyTables>();
  const now = options.now ?? Date.now;
  const maxSize = options.cacheSize ?? 50_000;
  let wrapper = options.wrapper;
  const cache = new Map<string, { key: Buffer; at: number }>();
  const pending = new Map<string, Promise<Buffer | undefined>>();

  const remember = (ref: string, key: Buffer) => {
    if (cache.size >= maxSize) cache.delete(cache.keys().next().value!);
    cache.set(ref, { key, at: now() });
  };
  /** The cached key, or undefined (then call `load`). Synchronous: the request path uses it. */
  const cached = (ref: string): Buffer | undefined => {
    const hit = cache.get(ref);
    if (!hit) return undefined;
    const age = now() - hit.at;
    if (age > options.cacheMs) {
      cache.delete(ref);
      return undefined;
    }
    // Re-read in the background before the entry expires, so a key in steady use never
    // leaves the request path, and an erasure by another process is still seen in cacheMs.
    if (age > options.cacheMs * 0.75 && !pending.has(`?${ref}`))
      void once(`?${ref}`, () => read(ref)).catch(() => cache.delete(ref));
    return hit.key;
  };

  const read = async (ref: string): Promise<Buffer | undefined> => {
    const row = await q
      .selectFrom('privacy_keys')
      .select(['wrapped'])
      .where('subject_ref', '=', ref)
      .executeTakeFirst();
    if (!row) {
      cache.delete(ref); // erased, here or by another process
      return undefined;
    }
    const key = await wrapper.unwrap(Buffer.from(row.wrapped, 'base64'), ref);
    remember(ref, key);
    return key;
  };

  const create = async (ref: string): Promise<Buffer> => {
    const key = randomBytes(32);
    const wrapped = await wrapper.wrap(key, ref);
    await q
      .insertInto('privacy_keys')
      .values({
        subject_ref: ref,
        kek_id: wrapper.id,
        wrapped: wrapped.toString('base64'),
        created_at: new Date(now()).toISOString(),
      })
      .onConflict((oc) => oc.column('subject_ref').doNothing())
      .execute();
    // Another process may have won the race: the stored key is the one.
    return (await read(ref))!;
  };

  const once = (ref: string, make: () => Promise<Buffer | undefined>) => {
    let p = pending.get(ref);
    if (!p) {
      p = make().finally(() => pending.delete(ref));
      pending.set(ref, p);
    }
    return p;
  };

  return {
    cached,
    /** The subject's key, created when it has none. */
    ensure: (ref: string): Promise<Buffer> =>
      once(`+${ref}`, async () => cached(ref) ?? (await read(ref)) ?? (await create(ref))).then(
        (k) => k!,
      ),
    /** The subject's key, or undefined when it has none (never had one, or erased). */
    get: (ref: string): Promise<Buffer | undefined> =>
      once(`?${ref}`, async () => cached(ref) ?? (await read(ref))),
    /** Whether the subject's key was erased (recorded in `privacy_erasures`). */
    async erased(refs: readonly string[]): Promise<Set<string>> {
      if (refs.length === 0) return new Set();
      const rows = await q
        .selectFrom('privacy_erasures')
        .select('subject_ref')
        .where('subject_ref', 'in', [...refs])
        .execute();
      return new Set(rows.map((r) => r.subject_ref));
    },
    /** Destroys the subject's key: the row, and on SQLite the freed bytes in the file and WAL. */
    async erase(ref: string): Promise<EraseOutcome> {
      cache.delete(ref);
      if (options.driver === 'sqlite') await sql`PRAGMA secure_delete = ON`.execute(options.db);
      const deleted = await q
        .deleteFrom('privacy_keys')
        .where('subject_ref', '=', ref)
        .executeTakeFirst();
      await q
        .insertInto('privacy_erasures')
        .values({ subject_ref: ref, erased_at: new Date(now()).toISOString() })
        .onConflict((oc) => oc.column('subject_ref').doNothing())
        .execute();
      cache.delete(ref); // a read racing the delete may have cached it again
      const walTruncated = options.driver === 'sqlite' ? await truncateWal(options.db) : null;
      return { keyDestroyed: Number(deleted.numDeletedRows) > 0, walTruncated };
    },
    /** Re-wraps every key under `next` (KEK rotation); returns how many were re-wrapped. */
    async rotate(next: KeyWrapper): Promise<number> {
      const rows = await q.selectFrom('privacy_keys').select(['subject_ref', 'wrapped']).execute();
      const rewrapped: { ref: string; wrapped: string }[] = [];
      for (const row of rows) {
        const key = await wrapper.unwrap(Buffer.from(row.wrapped, 'base64'), row.subject_ref);
        rewrapped.push({
          ref: row.subject_ref,
          wrapped: (await next.wrap(key, row.subject_ref)).toString('base64'),
        });
      }
      if (options.driver === 'sqlite') await sql`PRAGMA secure_delete = ON`.execute(options.db);
      await options.db.transaction().execute(async (trx) => {
        const t = trx.withTables<PrivacyTables>();
        for (const r of rewrapped)
          await t
            .updateTable('privacy_keys')
            .set({ wrapped: r.wrapped, kek_id: next.id })
            .where('subject_ref', '=', r.ref)
            .execute();
      });
      wrapper = next;
      if (options.driver === 'sqlite') await truncateWal(options.db);
      return rewrapped.length;
    },
    /** How many keys are stored, and under which KEK ids. */
    async stats(): Promise<{ keys: number; kekIds: string[]; erasures: number }> {
      const keys = await q
        .selectFrom('privacy_keys')
        .select(['kek_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('kek_id')
        .execute();
      const erasures = await q
        .selectFrom('privacy_erasures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return {
        keys: keys.reduce((s, r) => s + Number(r.n), 0),
        kekIds: keys.map((r) => r.kek_id),
        erasures: Number(erasures.n),
      };
    },
    get wrapperId() {
      return wrapper.id;
    },
  };
}

// After a secure delete, the freed page is zeroed in the WAL; a TRUNCATE checkpoint copies it
// over the old page in the main file and empties the WAL, so no frame keeps the old bytes
// (https://www.sqlite.org/pragma.html#pragma_secure_delete, #pragma_wal_checkpoint).
async function truncateWal(db: Kysely<Database>): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const { rows } = await sql<{
      busy: number;
    }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    if (rows[0] && Number(rows[0].busy) === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
