import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLedgerKey,
  createWitness,
  fetchWitnessCheckpoints,
  serveWitness,
  verifyLedger,
  type WitnessServer,
} from '../../src/ledger/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { eventually } from '../support/respond.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a server with ledger.witnesses', () => {
  it('pushes its checkpoints to the witness, reports the lag on /healthz, and verify uses them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-witnessed-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const logKey = await createLedgerKey(dir, 'aisoc.local/ledger');
    const witnessKey = await createLedgerKey(dir, 'witness.test', 'witness.key');
    const open = async () =>
      serveWitness(
        await createWitness({
          key: witnessKey,
          logs: [{ origin: 'aisoc.local/ledger', publicKey: logKey.verifierKey }],
          statePath: join(dir, 'witness.json'),
        }),
        { host: '127.0.0.1', port: 0 },
      );
    const witness: WitnessServer = await open();
    cleanups.push(() => witness.close());
    const t = await startTestAisoc({
      ledger: {
        keyFile: logKey.path,
        witnesses: [{ url: witness.url, publicKey: witnessKey.verifierKey }],
        witnessPushIntervalMs: 100,
      },
    });
    cleanups.push(() => t.aisoc.close());
    for (let i = 0; i < 5; i++) await t.aisoc.ledger.appendDurable('audit', { i });
    await t.aisoc.ledger.flush();
    const audit = async () => {
      const health = (await t.admin('/healthz')).json as {
        witnesses: { stream: string; entriesBehind: number; witnessedSize: number }[];
      };
      return health.witnesses.find((w) => w.stream === 'audit')!;
    };
    const caughtUp = await eventually(async () => {
      const lag = await audit();
      return lag.witnessedSize >= 5 && lag.entriesBehind === 0 ? lag : undefined;
    }, 15_000);
    expect(caughtUp).toMatchObject({ url: witness.url, secondsBehind: 0 });

    const notes = await fetchWitnessCheckpoints(witness.url);
    const verified = await verifyLedger(t.aisoc.store, 'audit', {
      publicKey: logKey.verifierKey,
      witnesses: notes,
    });
    expect(verified).toMatchObject({ ok: true, witnessed: 1 });

    // The witness goes away: the lag grows and says why.
    await witness.close();
    for (let i = 0; i < 3; i++) await t.aisoc.ledger.appendDurable('audit', { i });
    await t.aisoc.ledger.flush();
    const behind = await eventually(async () => {
      const lag = await audit();
      return lag.entriesBehind >= 3 && 'lastError' in lag ? lag : undefined;
    }, 15_000);
    expect(behind.entriesBehind).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
