import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncEventIndex, countEvents } from '../forensics/index.js';
import {
  createLedgerKey,
  createLedgerWriter,
  readEntries,
  verifyLedger,
  exportPublicKey,
  type LedgerKey,
  type LedgerWriter,
} from '../ledger/index.js';
import { createStore, type Store, type StoreConfig } from '../store/index.js';
import { applyRetention } from './retention.js';

// `ledger.retention` applied by the job: each configured stream is pruned up to its age
// limit, the prune is in the audit ledger, and the forensics index forgets the pruned events.

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');

function event(i: number, ageDays: number) {
  return {
    time: new Date(NOW - ageDays * DAY).toISOString(),
    model: 'triage',
    modelVersion: '1',
    principal: `patient-${i}`,
    keyId: 'k1',
    sourceAddress: '10.0.0.1',
    status: 200,
    outcome: 'ok',
    requestId: `r${i}`,
  };
}

describe('applyRetention', () => {
  let dir: string;
  let config: StoreConfig;
  let store: Store;
  let key: LedgerKey;
  let writer: LedgerWriter;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-retention-'));
    config = { driver: 'sqlite', path: join(dir, 'aisoc.db') };
    store = await createStore(config);
    await store.migrate();
    key = await createLedgerKey(dir, 'aisoc.local/ledger');
    writer = await createLedgerWriter({
      store: config,
      streams: ['inference', 'audit'],
      key,
      origin: 'aisoc.local/ledger',
      checkpointEvery: { entries: 1 },
    });
  });
  afterAll(async () => {
    await writer?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prunes events older than maxAgeDays, audits it, and drops them from the index', async () => {
    for (let i = 0; i < 5; i++) await writer.appendDurable('inference', event(i, 100 - i));
    for (let i = 5; i < 8; i++) await writer.appendDurable('inference', event(i, 10));
    await syncEventIndex(store);
    expect(await countEvents(store, {})).toBe(8);
    const lines: string[] = [];
    const plans = await applyRetention({
      store,
      audit: async (entry) => void (await writer.appendDurable('audit', entry)),
      retention: { inference: { maxAgeDays: 30 } },
      intervalMs: DAY,
      now: () => NOW,
      log: (line) => lines.push(line),
    });
    expect(plans).toMatchObject([{ stream: 'inference', fromSeq: 0, toSeq: 5 }]);
    expect(lines[0]).toContain('retention: pruned inference entries 0..4');
    const audit = (await readEntries(store, 'audit')).map((e) => JSON.parse(e.payload));
    expect(audit).toMatchObject([
      {
        type: 'ledger.pruned',
        ledger: 'inference',
        actor: 'system:retention',
        fromSeq: 0,
        toSeq: 5,
        reason: 'ledger.retention.inference.maxAgeDays = 30',
      },
    ]);
    await syncEventIndex(store);
    expect(await countEvents(store, {})).toBe(3); // the pruned five are gone from the index
    const entries = await readEntries(store, 'inference');
    expect(entries.map((e) => e.payload).join('')).not.toContain('patient-0');
    expect(entries.map((e) => e.payload).join('')).toContain('patient-7');
    await writer.flush();
    const publicKey = exportPublicKey(key).verifierKey;
    expect(await verifyLedger(store, 'inference', { publicKey })).toMatchObject({
      ok: true,
      entries: 8,
      pruned: { entries: 5 },
    });
    expect((await verifyLedger(store, 'audit', { publicKey })).ok).toBe(true);
  });
});
