import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { serviceUrls, describeWithService } from '../../test/support/services.js';
import { createMigrations, createStore, type Store } from './index.js';
import { expectStoreError, runStoreContract } from './store.contract.js';

const url = serviceUrls.postgres;
const schemas = createTestSchemas('aisoc_store');
const schemaName = schemas.name;
const dropSchemas = schemas.dropAll;

await describeWithService('postgres', 'PostgreSQL store', () => {
  afterAll(dropSchemas);

  describe('contract', () => {
    runStoreContract(async () => {
      const schema = schemaName('main');
      let empties = 0;
      return {
        schema,
        open: () => createStore({ driver: 'postgres', url, schema, poolSize: 4 }),
        openEmpty: () =>
          createStore({
            driver: 'postgres',
            url,
            schema: schemaName(`e${empties++}`),
            poolSize: 2,
          }),
        dispose: async () => undefined,
      };
    });
  });

  describe('engine specifics', () => {
    let extra = 0;
    const open = async (): Promise<Store> => {
      const store = await createStore({
        driver: 'postgres',
        url,
        schema: schemaName(`x${extra++}`),
        poolSize: 2,
      });
      await store.migrate();
      return store;
    };

    it('refuses TRUNCATE of the ledger tables, which row triggers would not see', async () => {
      const store = await open();
      try {
        await store.db
          .insertInto('ledger_entries')
          .values({ stream: 's', seq: 0, time: 't', leaf_hash: 'h', payload: 'p' })
          .execute();
        for (const table of ['ledger_entries', 'ledger_checkpoints']) {
          const error = await expectStoreError(
            sql`truncate table ${sql.id(table)}`.execute(store.db),
            'STORE_APPEND_ONLY',
          );
          expect(error.details).toMatchObject({ table });
        }
        expect(await store.db.selectFrom('ledger_entries').select('seq').execute()).toEqual([
          { seq: 0 },
        ]);
      } finally {
        await store.close();
      }
    });

    it('sets the schema as search_path on every pooled connection', async () => {
      const schema = schemaName('path');
      const store = await createStore({ driver: 'postgres', url, schema, poolSize: 3 });
      try {
        const paths = await Promise.all(
          Array.from({ length: 6 }, () =>
            store.db.connection().execute(async (c) => {
              const { rows } = await sql<{ search_path: string }>`show search_path`.execute(c);
              await sql`select pg_sleep(0.02)`.execute(c);
              return rows[0]?.search_path;
            }),
          ),
        );
        expect(new Set(paths)).toEqual(new Set([schema]));
      } finally {
        await store.close();
      }
    });

    it('reports a connection killed by the server as STORE_UNAVAILABLE and recovers', async () => {
      const store = await open();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const work = store.db.connection().execute(async (c) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(c);
          const sleeping = sql`select pg_sleep(10)`.execute(c);
          sleeping.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
          await new Promise((r) => setTimeout(r, 100));
          await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
          await sleeping;
        });
        const error = await expectStoreError(work, 'STORE_UNAVAILABLE');
        expect(error.status).toBe(503);
        // The pool may hand out the dead client once more before it sees the close; that
        // attempt fails as STORE_UNAVAILABLE too, and the next one gets a fresh connection.
        let rows: unknown[] | undefined;
        for (let attempt = 0; attempt < 3 && !rows; attempt++) {
          rows = await store.db
            .selectFrom('api_keys')
            .selectAll()
            .execute()
            .catch((e: unknown) => {
              expect(e).toMatchObject({ code: 'STORE_UNAVAILABLE' });
              return undefined;
            });
        }
        expect(rows).toEqual([]);
      } finally {
        await admin.end();
        await store.close();
      }
    });

    it('fails at start-up with STORE_UNAVAILABLE when the server does not answer', async () => {
      const error = await expectStoreError(
        createStore({
          driver: 'postgres',
          url: 'postgres://postgres@127.0.0.1:1/test',
          connectTimeoutMs: 2000,
        }),
        'STORE_UNAVAILABLE',
      );
      expect(error.status).toBe(503);
    });

    it('rejects a schema name that would need quoting with STORE_CONFIG_INVALID', async () => {
      for (const schema of ['a"b', 'Public', 'x; drop schema public', '', 'a'.repeat(64)]) {
        await expectStoreError(
          createStore({ driver: 'postgres', url, schema }),
          'STORE_CONFIG_INVALID',
        );
      }
      await expectStoreError(
        createStore({ driver: 'postgres', url: 'mysql://x' }),
        'STORE_CONFIG_INVALID',
      );
    });

    it('migrates concurrently from two stores on one schema without a failure', async () => {
      const schema = schemaName('race');
      const [a, b] = await Promise.all([
        createStore({ driver: 'postgres', url, schema, poolSize: 2 }),
        createStore({ driver: 'postgres', url, schema, poolSize: 2 }),
      ]);
      try {
        const applied = await Promise.all([a.migrate(), b.migrate()]);
        expect(applied.flat().sort()).toEqual(Object.keys(createMigrations('postgres')).sort());
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
