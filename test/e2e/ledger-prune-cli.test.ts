import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerKey, createLedgerWriter, readEntries } from '../../src/ledger/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { runCli as aisoc } from '../support/cli.js';

// Retention through the real CLI (issue 19): `aisoc ledger prune` removes old payloads from
// the database file and its WAL, records the prune in the audit ledger, and `ledger verify`
// reports the range as pruned, not tampered, until a kept hash is changed.

describe('aisoc ledger prune', () => {
  let dir: string;
  let dbPath: string;
  let store: Store;
  let cfg: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-prune-cli-'));
    dbPath = join(dir, 'aisoc.db');
    const config = { driver: 'sqlite' as const, path: dbPath };
    store = await createStore(config);
    await store.migrate();
    const key = await createLedgerKey(dir, 'aisoc.local/ledger');
    const writer = await createLedgerWriter({
      store: config,
      streams: ['inference', 'audit'],
      key,
      origin: 'aisoc.local/ledger',
    });
    for (let i = 0; i < 12; i++)
      await writer.appendDurable('inference', {
        time: `2020-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`,
        patient: `secret-old-${i}`,
      });
    for (let i = 0; i < 8; i++)
      await writer.appendDurable('inference', {
        time: `2030-01-0${i + 1}T00:00:00.000Z`,
        patient: `secret-new-${i}`,
      });
    await writer.appendDurable('audit', { type: 'test.setup' });
    await writer.close();
    await writeFile(
      join(dir, 'aisoc.yaml'),
      `dataDir: ${dir}\nstore: { driver: sqlite, path: ${dbPath} }\nledger: { keyFile: ${key.path} }\n`,
    );
    cfg = ['-c', join(dir, 'aisoc.yaml')];
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fileBytes = async () => {
    let all = (await readFile(dbPath)).toString('latin1');
    if (existsSync(`${dbPath}-wal`)) all += (await readFile(`${dbPath}-wal`)).toString('latin1');
    return all;
  };

  it('refuses a date it cannot read with exit 2 and prunes nothing', async () => {
    const bad = await aisoc([...cfg, 'ledger', 'prune', '--before', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('LEDGER_PRUNE_INVALID');
    expect(bad.stderr).toContain('last tuesday');
    expect(await fileBytes()).toContain('secret-old-0');
  }, 60_000);

  it('prunes old payloads out of the file and WAL, records it, and verify says pruned', async () => {
    expect(await fileBytes()).toContain('secret-old-3');
    const pruned = await aisoc([
      ...cfg,
      'ledger',
      'prune',
      '--before',
      '2025-01-01',
      '--stream',
      'inference',
      '--reason',
      'retention policy R-7',
    ]);
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('inference: pruned entries 0..11 (12)');
    const bytes = await fileBytes();
    expect(bytes).not.toContain('secret-old-');
    expect(bytes).toContain('secret-new-7');

    const audit = await readEntries(store, 'audit');
    const record = JSON.parse(audit.at(-1)!.payload) as Record<string, unknown>;
    expect(record).toMatchObject({
      type: 'ledger.pruned',
      ledger: 'inference',
      fromSeq: 0,
      toSeq: 12,
      before: '2025-01-01T00:00:00.000Z',
      reason: 'retention policy R-7',
    });
    expect(record.checkpointRoot).toMatch(/^[0-9a-f]{64}$/);

    const verified = await aisoc([...cfg, 'ledger', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /ok\s+inference: 20 entries, .*pruned \(not tampered\): 0\.\.11 before 2025-01-01T00:00:00\.000Z/,
    );
    expect(verified.stdout).toMatch(/ok\s+audit: 2 entries/);
    const json = await aisoc([...cfg, 'ledger', 'verify', '--stream', 'inference', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { stream: 'inference', ok: true, pruned: { entries: 12 } },
    ]);

    const again = await aisoc([...cfg, 'ledger', 'prune', '--before', '2025-01-01']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('inference: nothing to prune');
  }, 120_000);

  it('still fails verify (exit 3) when a kept leaf hash is changed', async () => {
    const triggers = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'ledger_entries'`.execute(
      store.db,
    );
    for (const { name } of triggers.rows) await sql`drop trigger ${sql.id(name)}`.execute(store.db);
    await store.db
      .updateTable('ledger_entries')
      .set({ leaf_hash: 'ab'.repeat(32) })
      .where('stream', '=', 'inference')
      .where('seq', '=', 5)
      .execute();
    const verified = await aisoc([...cfg, 'ledger', 'verify', '--stream', 'inference']);
    expect(verified.code).toBe(3);
    expect(verified.stdout).toContain('TAMPERED inference');
  }, 60_000);
});
