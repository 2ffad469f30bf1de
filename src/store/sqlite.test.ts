import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createId } from '../core/index.js';
import { createStore } from './index.js';
import { expectStoreError, runStoreContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store contract', () => {
  runStoreContract(async () => {
    const path = join(dir, 'contract.db');
    return {
      open: () => createStore({ driver: 'sqlite', path }),
      openEmpty: () =>
        createStore({ driver: 'sqlite', path: join(dir, `${createId('empty')}.db`) }),
      dispose: async () => undefined,
    };
  });
});

describe('SQLite store', () => {
  it('opens the file in WAL mode with foreign keys, busy timeout and NORMAL sync', async () => {
    const store = await createStore({
      driver: 'sqlite',
      path: join(dir, 'nested', 'dirs', 'a.db'),
    });
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('recursive_triggers')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("fsyncs every commit with synchronous: 'full'", async () => {
    const store = await createStore({
      driver: 'sqlite',
      path: join(dir, 'full.db'),
      synchronous: 'full',
    });
    try {
      const { rows } = await sql.raw('pragma synchronous').execute(store.db);
      expect(rows).toEqual([{ synchronous: 2 }]);
    } finally {
      await store.close();
    }
  });

  it('works in memory', async () => {
    const store = await createStore({ driver: 'sqlite', path: ':memory:' });
    try {
      expect(await store.migrate()).toEqual(['0001_initial']);
      expect(await store.db.selectFrom('api_keys').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses INSERT OR REPLACE over a ledger entry, which would delete it silently', async () => {
    const store = await createStore({ driver: 'sqlite', path: ':memory:' });
    try {
      await store.migrate();
      const row = { stream: 's', seq: 0, time: 't', leaf_hash: 'h', payload: 'p' };
      await store.db.insertInto('ledger_entries').values(row).execute();
      const replace = store.db
        .insertInto('ledger_entries')
        .orReplace()
        .values({ ...row, payload: 'forged' });
      await expectStoreError(replace.execute(), 'STORE_APPEND_ONLY');
      expect(await store.db.selectFrom('ledger_entries').selectAll().execute()).toEqual([row]);
    } finally {
      await store.close();
    }
  });

  it('reuses a cached statement after a stream over it was abandoned', async () => {
    const store = await createStore({ driver: 'sqlite', path: ':memory:' });
    try {
      await store.migrate();
      const rows = [0, 1, 2].map((seq) => ({
        stream: 's',
        seq,
        time: 't',
        leaf_hash: 'h',
        payload: 'p',
      }));
      await store.db.insertInto('ledger_entries').values(rows).execute();
      const query = () => store.db.selectFrom('ledger_entries').select('seq').orderBy('seq');
      for await (const row of query().stream()) {
        expect(row.seq).toBe(0);
        break;
      }
      expect(await query().execute()).toEqual([{ seq: 0 }, { seq: 1 }, { seq: 2 }]);
      const streamed: number[] = [];
      for await (const row of query().stream()) streamed.push(row.seq);
      expect(streamed).toEqual([0, 1, 2]);
    } finally {
      await store.close();
    }
  });

  it('fails at start-up with STORE_UNAVAILABLE when the file cannot be opened', async () => {
    await expectStoreError(createStore({ driver: 'sqlite', path: dir }), 'STORE_UNAVAILABLE');
  });

  it('rejects a bad config with STORE_CONFIG_INVALID naming every problem', async () => {
    const error = await expectStoreError(
      createStore({ driver: 'sqlite', path: '', busyTimeoutMs: -1 } as never),
      'STORE_CONFIG_INVALID',
    );
    expect(error.message).toMatch(/path: must not be empty/);
    expect(error.message).toMatch(/busyTimeoutMs/);
    await expectStoreError(createStore({ driver: 'mysql' } as never), 'STORE_CONFIG_INVALID');
    await expectStoreError(
      createStore({ driver: 'sqlite', path: 'a.db', extra: 1 } as never),
      'STORE_CONFIG_INVALID',
    );
  });
});

describe('SQLite durability and locking', () => {
  it('keeps every commit a writer reported before it was killed with SIGKILL', async () => {
    const path = join(dir, 'killed.db');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/kill-writer.ts', import.meta.url)),
        path,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let reported = 0;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = chunk.trim().split('\n');
        reported = Number(lines[lines.length - 1]);
        if (reported >= 3000) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const store = await createStore({ driver: 'sqlite', path });
    try {
      const rows = await store.db
        .selectFrom('ledger_entries')
        .select('seq')
        .orderBy('seq')
        .execute();
      expect(rows.length).toBeGreaterThanOrEqual(reported);
      expect(rows.every((r, i) => r.seq === i)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('reports a write lock held past busy_timeout as STORE_UNAVAILABLE', async () => {
    const path = join(dir, 'busy.db');
    const holder = await createStore({ driver: 'sqlite', path });
    const waiter = await createStore({ driver: 'sqlite', path, busyTimeoutMs: 50 });
    try {
      await holder.migrate();
      const row = (seq: number) => ({ stream: 'b', seq, time: 't', leaf_hash: 'h', payload: 'p' });
      await holder.db.transaction().execute(async (trx) => {
        await trx.insertInto('ledger_entries').values(row(0)).execute();
        const error = await expectStoreError(
          waiter.db.insertInto('ledger_entries').values(row(1)).execute(),
          'STORE_UNAVAILABLE',
        );
        expect(error.details).toMatchObject({ driverCode: 'SQLITE_BUSY' });
      });
      await waiter.db.insertInto('ledger_entries').values(row(1)).execute();
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
    }
  });
});
