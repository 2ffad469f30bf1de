import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore, type Store, type StoreConfig } from '../store/index.js';
import { createLedgerWriter, readEntries, verifyLedger, type LedgerWriter } from './index.js';
import { runLedgerContract } from './ledger.contract.js';
import { keyFromPrivate } from './ledger-key.js';

const url = serviceUrls.postgres;
const schemas = createTestSchemas('aisoc_ledger');

async function migratedSchema(suffix: string): Promise<StoreConfig> {
  const schema = schemas.name(suffix);
  const config: StoreConfig = { driver: 'postgres', url, schema, poolSize: 4 };
  const store = await createStore(config);
  await store.migrate();
  await store.close();
  return config;
}

await describeWithService('postgres', 'ledger on PostgreSQL', () => {
  afterAll(schemas.dropAll);

  describe('contract', () => {
    runLedgerContract(async () => {
      const config = await migratedSchema('contract');
      return { config: async () => config, dispose: async () => undefined };
    });
  });

  describe('several writers on one stream', () => {
    const key = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
    let store: Store;
    let writers: LedgerWriter[] = [];
    beforeAll(async () => {
      const config = await migratedSchema('shared');
      store = await createStore(config);
      const open = () =>
        createLedgerWriter({
          store: config,
          streams: ['audit'],
          key,
          origin: 'aisoc.test',
          batchSize: 50,
          checkpointEvery: { entries: 200 },
        });
      writers = await Promise.all([open(), open(), open()]);
    });
    afterAll(async () => {
      await Promise.all(writers.map((w) => w.close()));
      await store?.close();
    });

    it('keep seq contiguous by locking the stream head, and the ledger verifies', async () => {
      const acks = await Promise.all(
        Array.from({ length: 600 }, (_, i) =>
          writers[i % 3]!.appendDurable('audit', { writer: i % 3, i }),
        ),
      );
      const seqs = acks.map((a) => a.seq!).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i));
      await Promise.all(writers.map((w) => w.flush()));
      const result = await verifyLedger(store, 'audit', {
        publicKey: key.verifierKey,
        origin: 'aisoc.test',
      });
      expect(result).toMatchObject({ ok: true, entries: 600, signedSize: 600 });
      const entries = await readEntries(store, 'audit', { fromSeq: 598 });
      expect(entries.map((e) => e.seq)).toEqual([598, 599]);
    });
  });
});
