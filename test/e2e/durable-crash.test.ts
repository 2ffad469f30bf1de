import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import {
  exportPublicKey,
  loadLedgerKey,
  readEntries,
  verifyLedger,
} from '../../src/ledger/index.js';
import { createStore } from '../../src/store/index.js';
import { startChildAisoc, writeChildConfig } from '../support/child-aisoc.js';
import { demoRows, kserveBody } from '../support/aisoc.js';

describe('durable mode under kill -9', () => {
  it('loses no answered request, and the ledger verifies and keeps growing after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-crash-'));
    const configFile = writeChildConfig(dir, {
      gateway: {
        durability: 'durable',
        defaultRateLimit: { ratePerSecond: 100000, burst: 100000 },
      },
    });
    const first = await startChildAisoc(configFile);
    const body = kserveBody(await demoRows('breast-cancer', 'holdout', 1));
    const answered: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${first.gatewayUrl}/v2/models/breast-cancer/infer`, {
            method: 'POST',
            headers: { authorization: `Bearer ${first.key}`, 'content-type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          if (res.status === 200) answered.push(res.headers.get('x-request-id')!);
        } catch {
          return; // the server died mid-request: that request was never answered
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(answered.length).toBeGreaterThan(50);

    const config = parseConfig(
      {
        dataDir: dir,
        store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
        ledger: { keyFile: join(dir, 'ledger.key') },
      },
      dir,
    );
    const publicKey = exportPublicKey(await loadLedgerKey(config.ledger.keyFile)).verifierKey;
    const recorded = async (allowUnsignedTail: boolean) => {
      const store = await createStore(config.store);
      try {
        const ids = new Set<string>();
        for (let from = 0; ; from += 5000) {
          const page = await readEntries(store, 'inference', { fromSeq: from, limit: 5000 });
          for (const e of page) ids.add((JSON.parse(e.payload) as { requestId: string }).requestId);
          if (page.length < 5000) break;
        }
        return {
          ids,
          verified: await verifyLedger(store, 'inference', { publicKey, allowUnsignedTail }),
        };
      } finally {
        await store.close();
      }
    };
    const afterCrash = await recorded(true); // the killed server left its tail unsigned
    expect(answered.filter((id) => !afterCrash.ids.has(id))).toEqual([]);
    expect(afterCrash.verified.ok).toBe(true);

    const second = await startChildAisoc(configFile);
    const res = await fetch(`${second.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${second.key}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const lastId = res.headers.get('x-request-id')!;
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    const afterRestart = await recorded(false); // signed at restart and at the graceful stop
    expect(afterRestart.ids.has(lastId)).toBe(true);
    expect(afterRestart.verified.ok).toBe(true);
    expect(afterRestart.verified.entries).toBeGreaterThan(afterCrash.verified.entries);
  }, 90_000);
});
