import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/index.js';
import { createStore } from '../store/index.js';
import { createLedgerWriter, verifyLedger } from './index.js';
import { createLedgerCommitter, FIELD_SEPARATOR, RECORD_SEPARATOR } from './ledger-committer.js';
import { keyFromPrivate } from './ledger-key.js';
import { leafTemplate } from './leaf-template.js';

const key = keyFromPrivate('aisoc.test/ledger', generateKeyPairSync('ed25519').privateKey);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('a crash tail (entries a dead writer committed but never signed)', () => {
  it('is refused by verify, and signed by the next writer as it opens', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-tail-'));
    dirs.push(dir);
    const config = { driver: 'sqlite' as const, path: join(dir, 'ledger.db') };
    const store = await createStore(config);
    try {
      await store.migrate();
      // What a writer that died between checkpoints leaves behind: committed, unsigned entries.
      const dead = createLedgerCommitter({
        store,
        signer: key,
        origin: 'aisoc.test',
        checkpointEvery: { entries: 1_000_000, ms: 3_600_000 },
        clock: systemClock,
      });
      const records = Array.from({ length: 7 }, (_, i) => {
        const t = leafTemplate('audit', { i }, Date.now());
        return t.time + FIELD_SEPARATOR + t.head + FIELD_SEPARATOR + t.tail;
      });
      await dead.commit([{ stream: 'audit', records: records.join(RECORD_SEPARATOR) }]);
      const publicKey = key.verifierKey;
      expect(await verifyLedger(store, 'audit', { publicKey })).toMatchObject({
        ok: false,
        code: 'LEDGER_UNSIGNED_TAIL',
        firstBad: { seq: 0, reason: 'entries 0 to 6 are covered by no signed checkpoint' },
      });

      const writer = await createLedgerWriter({
        store: config,
        streams: ['audit', 'inference'],
        key,
        origin: 'aisoc.test',
        checkpointEvery: { entries: 1_000_000, ms: 3_600_000 },
      });
      expect(await verifyLedger(store, 'audit', { publicKey })).toEqual({
        ok: true,
        entries: 7,
        checkpoints: 1,
        signedSize: 7,
      });
      // A graceful stop signs what this writer appended, though no policy made it due.
      writer.append('audit', { i: 7 });
      await writer.close();
      expect(await verifyLedger(store, 'audit', { publicKey })).toMatchObject({
        ok: true,
        entries: 8,
        signedSize: 8,
      });
    } finally {
      await store.close();
    }
  });
});
