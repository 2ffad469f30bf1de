import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import { appendOnlyCases } from './append-only.contract.js';
import { repositoryCases } from './repositories.contract.js';
import type { Store } from './index.js';

/** How a contract run reaches one engine. */
export interface StoreHarness {
  /** A new Store on the suite's database (the same one every call). */
  open(): Promise<Store>;
  /** A new Store on a new, empty database of its own. */
  openEmpty(): Promise<Store>;
  /** The PostgreSQL schema the suite's database lives in (undefined for SQLite). */
  schema?: string;
  /** Removes every database the harness made. */
  dispose(): Promise<void>;
}

/** The suite's store, migrated once; filled in by `runStoreContract`'s beforeAll. */
export interface ContractContext {
  store: Store;
  harness: StoreHarness;
  firstMigration: string[];
}

/** Awaits a promise that must reject with an AppError of `code`, and returns that error. */
export async function expectStoreError(work: Promise<unknown>, code: string): Promise<AppError> {
  const error: unknown = await work.then(
    () => new Error(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code, (error as Error).message).toBe(code);
  return error as AppError;
}

const EXPECTED_COLUMNS: Record<string, string[]> = {
  api_keys: [
    'burst',
    'created_at',
    'description',
    'id',
    'key_hash',
    'models',
    'prefix',
    'principal',
    'rate_per_second',
  ],
  policy_actions: [
    'action',
    'actor',
    'applied_at',
    'id',
    'kind',
    'lifted_at',
    'lifted_by',
    'reason',
    'target',
  ],
  ledger_entries: ['leaf_hash', 'payload', 'seq', 'stream', 'time'],
  ledger_checkpoints: ['note', 'root_hash', 'stream', 'time', 'tree_size'],
  ledger_heads: ['frontier', 'stream', 'tree_size', 'updated_at'],
};

async function tableColumns(store: Store, schema: string | undefined) {
  const tables = await store.db.introspection.getTables();
  const ours = tables.filter((t) => schema === undefined || t.schema === schema);
  return Object.fromEntries(ours.map((t) => [t.name, t.columns.map((c) => c.name).sort()]));
}

function migrationCases(ctx: ContractContext): void {
  describe('migrations', () => {
    it('applies 0001_initial on an empty database', () => {
      expect(ctx.firstMigration).toEqual(['0001_initial']);
    });

    it('creates every table of schema.ts with its columns', async () => {
      const columns = await tableColumns(ctx.store, ctx.harness.schema);
      for (const [table, expected] of Object.entries(EXPECTED_COLUMNS)) {
        expect(columns[table], table).toEqual(expected);
      }
    });

    it('does nothing when migrated again, from the same or another connection', async () => {
      expect(await ctx.store.migrate()).toEqual([]);
      const other = await ctx.harness.open();
      try {
        expect(await other.migrate()).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('names the failing migration and rolls all of it back', async () => {
      const store = await ctx.harness.openEmpty();
      try {
        await store.db.schema.createTable('api_keys').addColumn('x', 'text').execute();
        const error = await expectStoreError(store.migrate(), 'STORE_MIGRATION_FAILED');
        expect(error.message).toContain('0001_initial');
        expect(error.details).toMatchObject({ migration: '0001_initial' });
        // Transactional DDL: the tables created before the failure are gone too.
        await expectStoreError(
          store.db.selectFrom('ledger_entries').selectAll().execute(),
          'STORE_QUERY_FAILED',
        );
      } finally {
        await store.close();
      }
    });

    it('refuses a database migrated by a newer version it does not know', async () => {
      const store = await ctx.harness.openEmpty();
      try {
        await store.migrate();
        const db = store.db.withTables<{ kysely_migration: { name: string; timestamp: string } }>();
        await db
          .insertInto('kysely_migration')
          .values({ name: '9999_future', timestamp: new Date().toISOString() })
          .execute();
        const error = await expectStoreError(store.migrate(), 'STORE_MIGRATION_FAILED');
        expect(error.message).toContain('9999_future');
      } finally {
        await store.close();
      }
    });
  });
}

function lifecycleCases(ctx: ContractContext): void {
  describe('life cycle', () => {
    it('answers queries after close with STORE_UNAVAILABLE, and closes twice quietly', async () => {
      const store = await ctx.harness.open();
      await store.close();
      await store.close();
      await expectStoreError(
        store.db.selectFrom('api_keys').selectAll().execute(),
        'STORE_UNAVAILABLE',
      );
    });

    it('turns a malformed query into STORE_QUERY_FAILED', async () => {
      const db = ctx.store.db.withTables<{ no_such_table: { x: string } }>();
      await expectStoreError(
        db.selectFrom('no_such_table').selectAll().execute(),
        'STORE_QUERY_FAILED',
      );
    });
  });
}

/** One body of tests that every store engine must pass. */
export function runStoreContract(setup: () => Promise<StoreHarness>): void {
  const ctx = {} as ContractContext;
  beforeAll(async () => {
    ctx.harness = await setup();
    ctx.store = await ctx.harness.open();
    ctx.firstMigration = await ctx.store.migrate();
  });
  afterAll(async () => {
    await ctx.store?.close();
    await ctx.harness?.dispose();
  });
  migrationCases(ctx);
  lifecycleCases(ctx);
  repositoryCases(ctx);
  appendOnlyCases(ctx);
}
