import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../../test/support/aisoc.js';
import { packageRoot } from '../app/index.js';
import type { InferenceEvent } from '../core/index.js';
import { createLedgerWriter, keyFromPrivate } from '../ledger/index.js';
import { loadOnnxModel, type OnnxModel } from '../serve/index.js';
import { createStore, type Store } from '../store/index.js';
import { testEvent } from './events.contract.js';
import { analyseImpact, runImpact, syncEventIndex, type Decision } from './index.js';

const key = keyFromPrivate('aisoc.test/impact', generateKeyPairSync('ed25519').privateKey);
const goodOnnx = join(packageRoot(), 'models', 'breast-cancer', 'model.onnx');

describe('impact analysis against the known-good ONNX model', () => {
  let dir: string;
  let store: Store;
  let good: OnnxModel;
  let rows: number[][];
  let v1Labels: number[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-impact-'));
    const config = { driver: 'sqlite' as const, path: join(dir, 'aisoc.db') };
    store = await createStore(config);
    await store.migrate();
    good = await loadOnnxModel(goodOnnx);
    rows = await demoRows('breast-cancer', 'holdout', 60);
    v1Labels = (await good.infer(rows)).labels;
    const writer = await createLedgerWriter({
      store: config,
      streams: ['inference'],
      key,
      origin: 't',
    });
    // 30 requests of 2 rows each, answered "benign" by the poisoned v2, by 3 clinics with a
    // patient id each; then v1 requests and a failed v2 request that are not v2 decisions.
    for (let i = 0; i < 30; i++)
      await writer.appendDurable('inference', {
        ...testEvent(i, {
          model: 'breast-cancer',
          modelVersion: '2',
          features: rows.slice(2 * i, 2 * i + 2),
          outputs: [
            [0.02, 0.98],
            [0.02, 0.98],
          ],
          status: 200,
          outcome: 'ok',
        }),
        subject: `patient-${i % 7}`,
      } satisfies InferenceEvent);
    await writer.appendDurable(
      'inference',
      testEvent(40, { model: 'breast-cancer', modelVersion: '1' }),
    );
    await writer.appendDurable(
      'inference',
      testEvent(41, {
        model: 'breast-cancer',
        modelVersion: '2',
        status: 502,
        outcome: 'upstream_error',
        outputs: null,
      }),
    );
    await writer.close();
    await syncEventIndex(store);
  });
  afterAll(async () => {
    await good?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every decision of the suspect version and flags exactly those the good one answers otherwise', async () => {
    const decisions: Decision[] = [];
    const progress: number[] = [];
    const summary = await analyseImpact(store, {
      model: 'breast-cancer',
      version: '2',
      goodVersion: '1',
      scorer: good,
      batchRows: 7,
      concurrency: 3,
      onProgress: (done) => progress.push(done),
      onDecision: (d) => void decisions.push(d),
    });
    const malignant = v1Labels.filter((l) => l === 0).length;
    expect(malignant).toBeGreaterThan(5); // the holdout has malignant cases for the test to mean anything
    expect(summary).toMatchObject({ events: 30, decisions: 60, flips: malignant, unscorable: 0 });
    expect(decisions.map((d) => d.input)).toEqual(rows); // in time order, row by row
    expect(decisions.map((d) => d.flipped)).toEqual(v1Labels.map((l) => l === 0));
    expect(decisions.every((d) => d.answerLabel === 1)).toBe(true);
    expect(decisions[3]).toMatchObject({
      requestId: 'req_1',
      row: 1,
      principal: 'clinic-1',
      subject: 'patient-1',
    });
    expect(summary.byFlip).toEqual({ '1→0': malignant });
    expect(summary.byClass['1']).toEqual({ decisions: 60, flips: malignant });
    const perClinic = Object.values(summary.byPrincipal).reduce((a, t) => a + t.flips, 0);
    expect(perClinic).toBe(malignant);
    expect(Object.keys(summary.byPrincipal).sort()).toEqual(['clinic-0', 'clinic-1', 'clinic-2']);
    expect(summary.subjects).toBe(7);
    expect(summary.bySubject['patient-0']!.decisions).toBe(10); // requests 0, 7, 14, 21, 28
    expect(progress.at(-1)).toBe(60);
  });

  it('keeps to the time window', async () => {
    const from = testEvent(10).time;
    const to = testEvent(19).time;
    const summary = await analyseImpact(store, {
      model: 'breast-cancer',
      version: '2',
      goodVersion: '1',
      scorer: good,
      from,
      to,
    });
    expect(summary).toMatchObject({ events: 10, decisions: 20 });
  });

  it('writes CSV or JSONL with one line per decision, re-scoring on the configured ONNX', async () => {
    const models = [
      {
        id: 'breast-cancer',
        versions: [
          { version: '1', onnx: goodOnnx },
          { version: '2', onnx: 'poisoned.onnx' },
        ],
      },
    ];
    const csv = join(dir, 'impact.csv');
    const summary = await runImpact(store, {
      models,
      model: 'breast-cancer',
      version: '2',
      out: csv,
      format: 'csv',
    });
    expect(summary.goodVersion).toBe('1'); // the other configured ONNX version
    expect(summary.goodDigest).toBe(`sha256:${good.digest}`);
    const lines = (await readFile(csv, 'utf8')).trimEnd().split('\r\n');
    expect(lines).toHaveLength(61);
    expect(lines[0]).toMatch(
      /^requestId,time,principal,keyId,subject,row,answerLabel,goodLabel,flipped,/,
    );
    expect(lines.filter((l) => l.includes(',true,')).length).toBe(summary.flips);
    const jsonl = join(dir, 'impact.jsonl');
    await runImpact(store, {
      models,
      model: 'breast-cancer',
      version: '2',
      goodVersion: '1',
      out: jsonl,
      format: 'jsonl',
    });
    const parsed = (await readFile(jsonl, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed).toHaveLength(60);
    expect(parsed.filter((d) => d.flipped)).toHaveLength(summary.flips);
  });

  it('refuses a known-good version it cannot run, and one that is the suspect itself', async () => {
    const models = [{ id: 'breast-cancer', versions: [{ version: '1' }, { version: '2' }] }];
    const out = join(dir, 'x.jsonl');
    await expect(
      runImpact(store, {
        models,
        model: 'breast-cancer',
        version: '2',
        goodVersion: '1',
        out,
        format: 'jsonl',
      }),
    ).rejects.toMatchObject({ code: 'FORENSICS_VERSION_UNSERVABLE' });
    await expect(
      runImpact(store, {
        models,
        model: 'breast-cancer',
        version: '2',
        goodVersion: '2',
        out,
        format: 'jsonl',
      }),
    ).rejects.toMatchObject({ code: 'FORENSICS_FILTER_INVALID' });
    await expect(
      runImpact(store, { models, model: 'nope', version: '2', out, format: 'jsonl' }),
    ).rejects.toMatchObject({ code: 'FORENSICS_MODEL_UNKNOWN' });
  });
});
