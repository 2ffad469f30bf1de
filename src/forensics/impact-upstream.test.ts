import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestUpstream } from '../../test/support/upstream.js';
import { createLedgerWriter, keyFromPrivate } from '../ledger/index.js';
import { createStore, type Store } from '../store/index.js';
import { testEvent } from './events.contract.js';
import {
  analyseImpact,
  createHttpScorer,
  runImpact,
  syncEventIndex,
  type Decision,
} from './index.js';

const key = keyFromPrivate('aisoc.test/impact-upstream', generateKeyPairSync('ed25519').privateKey);

/*
 * The known-good version has no ONNX here: it is a real HTTP model server (KServe V2) that
 * answers class 1 when a row's features sum above 0, else class 0, and answers 503 to any
 * request holding a row that starts with 99.
 */
describe('impact re-scored through the known-good version upstream', () => {
  let dir: string;
  let store: Store;
  let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
  let inFlight = 0;
  let maxInFlight = 0;
  // 40 requests of one row each, all answered class 1 by the suspect version: rows 0..39.
  const rowOf = (i: number): number[] => (i % 10 === 9 ? [99, -200] : [i % 4 === 0 ? -1 : 1, 0.5]);
  const expectedErrors = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 10 === 9);
  const expectedFlips = Array.from({ length: 40 }, (_, i) => i).filter(
    (i) => i % 10 !== 9 && i % 4 === 0,
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-impact-up-'));
    const config = { driver: 'sqlite' as const, path: join(dir, 'aisoc.db') };
    store = await createStore(config);
    await store.migrate();
    upstream = await startTestUpstream({
      delayMs: 20,
      failRow: (row) => row[0] === 99,
      onInFlight: (d) => {
        inFlight += d;
        maxInFlight = Math.max(maxInFlight, inFlight);
      },
    });
    const writer = await createLedgerWriter({
      store: config,
      streams: ['inference'],
      key,
      origin: 't',
    });
    for (let i = 0; i < 40; i++)
      await writer.appendDurable(
        'inference',
        testEvent(i, {
          model: 'fraud',
          modelVersion: '2',
          features: [rowOf(i)],
          outputs: [[0.1, 0.9]],
          status: 200,
          outcome: 'ok',
        }),
      );
    await writer.close();
    await syncEventIndex(store);
  });
  afterAll(async () => {
    await upstream?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the flips the upstream answers and reports each failed row as an error, with at most N batches in flight', async () => {
    const decisions: Decision[] = [];
    maxInFlight = 0;
    const scorer = createHttpScorer({ upstream: upstream.url, model: 'fraud', version: '1' });
    const summary = await analyseImpact(store, {
      model: 'fraud',
      version: '2',
      goodVersion: '1',
      scorer,
      batchRows: 1,
      concurrency: 3,
      onDecision: (d) => void decisions.push(d),
    });
    expect(summary).toMatchObject({
      events: 40,
      decisions: 40,
      flips: expectedFlips.length,
      errors: expectedErrors.length,
    });
    expect(decisions.filter((d) => d.flipped).map((d) => d.requestId)).toEqual(
      expectedFlips.map((i) => `req_${i}`),
    );
    const failed = decisions.filter((d) => d.error !== undefined);
    expect(failed.map((d) => d.requestId)).toEqual(expectedErrors.map((i) => `req_${i}`));
    expect(failed[0]).toMatchObject({ goodLabel: null, flipped: false });
    expect(failed[0]!.error).toMatch(/answered 503/);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    // The request went to the good version's KServe V2 infer path.
    expect(upstream.requests.at(-1)!.url).toBe('/v2/models/fraud/versions/1/infer');
  });

  it('asks a failed batch row by row, so the rows the upstream answers still count', async () => {
    const scorer = createHttpScorer({ upstream: upstream.url, model: 'fraud', version: '1' });
    const result = await scorer.infer([
      [-1, 0],
      [99, 0],
      [2, 0],
    ]);
    expect(result.labels[0]).toBe(0);
    expect(result.labels[2]).toBe(1);
    expect(result.errors).toEqual([null, expect.stringMatching(/503/), null]);
  });

  it('runImpact takes the upstream from the config when the good version has no ONNX, and survives an unreachable one', async () => {
    const out = join(dir, 'impact.jsonl');
    const summary = await runImpact(store, {
      models: [
        {
          id: 'fraud',
          versions: [
            { version: '1', upstream: upstream.url },
            { version: '2', upstream: upstream.url },
          ],
        },
      ],
      model: 'fraud',
      version: '2',
      out,
      format: 'jsonl',
      concurrency: 2,
    });
    expect(summary).toMatchObject({ goodVersion: '1', flips: expectedFlips.length });
    expect(summary.goodDigest).toBe(`${upstream.url}/v2/models/fraud/versions/1/infer`);
    const lines = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((d) => d.error)).toHaveLength(expectedErrors.length);

    // A closed port: every decision carries the error, nothing throws.
    const gone = await runImpact(store, {
      models: [{ id: 'fraud', versions: [{ version: '1', upstream: 'http://127.0.0.1:1' }] }],
      model: 'fraud',
      version: '2',
      goodVersion: '1',
      out,
      format: 'csv',
    });
    expect(gone).toMatchObject({ decisions: 40, errors: 40, flips: 0 });
    expect(await readFile(out, 'utf8')).toMatch(/unreachable/);
  });
});
