import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/index.js';
import { runLedgerContract } from './ledger.contract.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createLedgerWriter,
  getCheckpoint,
  readEntries,
  verifyLedger,
  type LedgerWriter,
} from './index.js';
import { keyFromPrivate } from './ledger-key.js';

const key = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);

async function sqliteLedger(): Promise<{
  dir: string;
  config: { driver: 'sqlite'; path: string };
}> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-ledger-'));
  const config = { driver: 'sqlite' as const, path: join(dir, 'ledger.db') };
  const store = await createStore(config);
  await store.migrate();
  await store.close();
  return { dir, config };
}

describe('ledger on SQLite', () => {
  runLedgerContract(async () => {
    const { dir, config } = await sqliteLedger();
    return { config: async () => config, dispose: () => rm(dir, { recursive: true, force: true }) };
  });
});

describe('the ledger writer', () => {
  let dir: string;
  let config: { driver: 'sqlite'; path: string };
  let rejecting: LedgerWriter;
  let dropping: LedgerWriter;
  beforeAll(async () => {
    ({ dir, config } = await sqliteLedger());
    // A long flush interval keeps async entries queued on the main thread, so the queue fills.
    const base = {
      store: config,
      key,
      origin: 'aisoc.test',
      maxQueue: 10,
      batchSize: 1000,
      flushIntervalMs: 60_000,
    };
    [rejecting, dropping] = await Promise.all([
      createLedgerWriter({ ...base, streams: ['audit'], overflow: 'reject' }),
      createLedgerWriter({
        ...base,
        streams: ['inference'],
        overflow: 'drop',
        checkpointEvery: { entries: 1_000_000, ms: 50 },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([rejecting?.close(), dropping?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("fails closed with LEDGER_BACKPRESSURE when the queue is full and overflow is 'reject'", async () => {
    for (let i = 0; i < 10; i++) rejecting.append('audit', { i });
    expect(() => rejecting.append('audit', { i: 10 })).toThrowError(
      expect.objectContaining({ code: 'LEDGER_BACKPRESSURE', status: 503 }),
    );
    await expect(rejecting.appendDurable('audit', { i: 11 })).rejects.toMatchObject({
      code: 'LEDGER_BACKPRESSURE',
    });
    expect(rejecting.stats()).toMatchObject({ queued: 10, rejected: 2, written: 0 });
    await rejecting.flush();
    expect(rejecting.stats()).toMatchObject({ queued: 0, written: 10 });
    expect(await rejecting.appendDurable('audit', { i: 12 })).toEqual({ seq: 10 });
  });

  it('signs a checkpoint once the oldest unsigned entry is checkpointEvery.ms old, without a flush', async () => {
    const store = await createStore(config);
    try {
      expect(await dropping.appendDurable('inference', { first: true })).toEqual({ seq: 0 });
      for (let i = 0; i < 50 && (await getCheckpoint(store, 'inference')) === null; i++)
        await sleep(20);
      expect(await getCheckpoint(store, 'inference')).toMatchObject({ treeSize: 1 });
    } finally {
      await store.close();
    }
  });

  it("fails open and counts the loss when the queue is full and overflow is 'drop'", async () => {
    for (let i = 0; i < 15; i++) dropping.append('inference', { i });
    expect(await dropping.appendDurable('inference', { i: 15 })).toEqual({ seq: null });
    expect(dropping.stats()).toMatchObject({ queued: 10, dropped: 6 });
    await dropping.flush();
    const store = await createStore(config);
    try {
      expect(await verifyLedger(store, 'inference', { publicKey: key.verifierKey })).toMatchObject({
        ok: true,
        entries: 11,
      });
    } finally {
      await store.close();
    }
  });

  it('rejects durable appends with LEDGER_WRITE_FAILED when their batch cannot commit', async () => {
    const store = await createStore(config);
    try {
      // A row written behind the writer's back takes the next position: the insert must fail.
      const next = (await readEntries(store, 'inference', { limit: 100 })).length;
      await store.db
        .insertInto('ledger_entries')
        .values({ stream: 'inference', seq: next, time: 't', leaf_hash: 'h', payload: '{}' })
        .execute();
      await expect(dropping.appendDurable('inference', { late: true })).rejects.toMatchObject({
        code: 'LEDGER_WRITE_FAILED',
        details: { cause: 'STORE_CONSTRAINT' },
      });
      expect(dropping.stats().failed).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('refuses unknown streams and entries it cannot record, saying why', () => {
    expect(() => rejecting.append('nope', {})).toThrowError(
      expect.objectContaining({ code: 'LEDGER_STREAM_UNKNOWN' }),
    );
    expect(() => rejecting.append('audit', { seq: 3 })).toThrowError(
      expect.objectContaining({ code: 'LEDGER_ENTRY_INVALID' }),
    );
    expect(() => rejecting.append('audit', { x: Number.NaN })).toThrowError(/\$\.x/);
  });

  it('reports every bad option at once', async () => {
    const error = await createLedgerWriter({
      store: config,
      streams: ['Bad Stream'],
      key,
      origin: '',
      batchSize: 0,
      maxQueue: 1.5,
      overflow: 'maybe' as 'drop',
      checkpointEvery: { entries: -1 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LEDGER_OPTIONS_INVALID' });
    expect((error as { details: { problems: string[] } }).details.problems).toHaveLength(6);
  });

  it('fails to start with the store error when the database cannot be opened', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const store = { driver: 'sqlite' as const, path: join(blocker, 'ledger.db') };
    await expect(
      createLedgerWriter({ store, streams: ['audit'], key, origin: 'o' }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_/) });
  });
});
