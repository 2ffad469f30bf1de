import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/index.js';
import { createLedgerKey, createLedgerWriter, readEntries, verifyLedger } from './index.js';

const child = fileURLToPath(new URL('../../test/fixtures/ledger-crash-child.ts', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs the child until it has acknowledged `acks` entries, then SIGKILLs it. */
function runAndKill(path: string, keyFile: string, acks: number): Promise<Map<number, number>> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, path, keyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked = new Map<number, number>(); // seq -> n
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [word, seq, n] = line.split(' ');
      if (word !== 'ack') return;
      acked.set(Number(seq), Number(n));
      if (acked.size === acks) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited with ${code}`)),
    );
  });
}

describe('a writer killed with SIGKILL in durable mode', () => {
  it('loses no acknowledged entry, and the ledger still verifies and continues', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-crash-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.db');
    const store = await createStore({ driver: 'sqlite', path });
    try {
      await store.migrate();
      const key = await createLedgerKey(dir, 'aisoc.test/ledger');
      const acked = await runAndKill(path, key.path, 1500);
      expect(acked.size).toBeGreaterThanOrEqual(1500);

      const stored = new Map<number, number>();
      for (let from = 0; ;) {
        const page = await readEntries(store, 'inference', { fromSeq: from, limit: 5000 });
        for (const e of page) stored.set(e.seq, (JSON.parse(e.payload) as { n: number }).n);
        if (page.length < 5000) break;
        from = page[page.length - 1]!.seq + 1;
      }
      const lost = [...acked].filter(([seq, n]) => stored.get(seq) !== n);
      expect(lost).toEqual([]);
      const publicKey = key.verifierKey;
      const result = await verifyLedger(store, 'inference', { publicKey, allowUnsignedTail: true });
      expect(result).toMatchObject({ ok: true, entries: stored.size });
      // When the dead writer left a tail no checkpoint covers (most runs), strict verify names it.
      if (result.signedSize < stored.size) {
        expect(await verifyLedger(store, 'inference', { publicKey })).toMatchObject({
          ok: false,
          code: 'LEDGER_UNSIGNED_TAIL',
          firstBad: { seq: result.signedSize },
        });
      }

      // A new writer signs the crash tail as it opens, before anything is appended.
      const writer = await createLedgerWriter({
        store: { driver: 'sqlite', path },
        streams: ['inference'],
        key,
        origin: 'aisoc.test',
      });
      expect(await verifyLedger(store, 'inference', { publicKey })).toMatchObject({
        ok: true,
        signedSize: stored.size,
      });
      // It resumes from the head the dead one committed, and signs again at close.
      expect(await writer.appendDurable('inference', { n: -1 })).toEqual({ seq: stored.size });
      await writer.close();
      expect(await verifyLedger(store, 'inference', { publicKey: key.verifierKey })).toMatchObject({
        ok: true,
        signedSize: stored.size + 1,
      });
    } finally {
      await store.close();
    }
  });
});
