import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../store/index.js';
import {
  countEntries,
  createLedgerWriter,
  retryDelayMs,
  verifyLedger,
  type LedgerLoss,
  type LedgerWriter,
} from './index.js';
import { keyFromPrivate } from './ledger-key.js';

const key = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);

/** Holds SQLite's write lock from another connection until the returned function is called. */
async function holdWriteLock(store: Store): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ledger_heads').where('stream', '=', '__none__').execute();
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await done;
  };
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('the ledger writer during a database outage (issue 14, finding 7)', () => {
  let dir: string;
  let path: string;
  let other: Store;
  let writer: LedgerWriter | undefined;
  let losses: LedgerLoss[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-ledger-outage-'));
    path = join(dir, 'ledger.db');
    other = await createStore({ driver: 'sqlite', path });
    await other.migrate();
    losses = [];
  });
  afterEach(async () => {
    await writer?.close().catch(() => undefined);
    writer = undefined;
    await other.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (extra: { maxQueue?: number } = {}) =>
    createLedgerWriter({
      store: { driver: 'sqlite', path, busyTimeoutMs: 20 } as never,
      streams: ['inference'],
      key,
      origin: 'aisoc.test',
      flushIntervalMs: 1,
      overflow: 'drop',
      onLoss: (loss) => losses.push(loss),
      ...extra,
    });

  it('retries async entries whose batch failed while another connection held the lock, losing none', async () => {
    writer = await open();
    const release = await holdWriteLock(other);
    for (let i = 0; i < 300; i++) writer.append('inference', { i });
    await until(() => writer!.stats().failed > 0);
    await sleep(300); // several failed attempts, backing off
    const during = writer.stats();
    expect(during.written).toBe(0);
    expect(during.queued).toBe(300);
    expect(during.dropped).toBe(0);
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.every((l) => l.kind === 'failed' && l.stream === 'inference')).toBe(true);
    await release();
    await until(() => writer!.stats().written === 300);
    await writer.flush();
    expect(writer.stats()).toMatchObject({ queued: 0, retrying: 0, dropped: 0, written: 300 });
    expect(await countEntries(other, 'inference')).toBe(300);
    expect(await verifyLedger(other, 'inference', { publicKey: key.verifierKey })).toMatchObject({
      ok: true,
      entries: 300,
    });
  });

  it('refuses durable appends at once but keeps retrying the async ones of the same batch', async () => {
    writer = await open();
    const release = await holdWriteLock(other);
    writer.append('inference', { async: 1 });
    const durable = writer.appendDurable('inference', { durable: 1 });
    await expect(durable).rejects.toMatchObject({ code: 'LEDGER_WRITE_FAILED' });
    await release();
    await until(() => writer!.stats().written === 1);
    await writer.flush();
    expect(await countEntries(other, 'inference')).toBe(1);
  });

  it('counts and reports as dropped what the full queue refuses and what a close during the outage leaves', async () => {
    writer = await open({ maxQueue: 5 });
    const release = await holdWriteLock(other);
    for (let i = 0; i < 8; i++) writer.append('inference', { i });
    expect(writer.stats().dropped).toBe(3);
    expect(losses.filter((l) => l.kind === 'dropped')).toHaveLength(3);
    await until(() => writer!.stats().failed > 0);
    const closing = writer.close();
    await closing;
    writer = undefined;
    await release();
    const dropped = losses.filter((l) => l.kind === 'dropped').reduce((n, l) => n + l.count, 0);
    expect(dropped).toBe(8);
  });
});

describe('retry backoff', () => {
  it('doubles from 50 ms up to 5 s, with at most 20 % jitter', () => {
    expect(retryDelayMs(1, () => 0)).toBe(50);
    expect(retryDelayMs(2, () => 0)).toBe(100);
    expect(retryDelayMs(30, () => 0)).toBe(5000);
    expect(retryDelayMs(30, () => 1)).toBe(6000);
  });
});
