// The decoy watermark end to end on the demo digits model (ONNX in-process), with the drill's
// own surrogate trainer as the thief: a copy trained on watermarked answers is found; one trained
// on the same rows answered without the watermark, or on the true labels, is not.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoyWatermark, type DecoyWatermark } from '../core/index.js';
import { surrogateProbabilities, trainSurrogate, type Surrogate } from '../drill/attacks/index.js';
import { parseLabelledCsv } from '../drill/index.js';
import { loadOnnxModel, type OnnxModel } from '../serve/index.js';
import { checkSuspect, suspectProbes } from './index.js';

const csv = (split: string) =>
  parseLabelledCsv(readFileSync(`data/digits/${split}.csv`, 'utf8'), split);
const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));

describe('fingerprint-suspect on digits', () => {
  let decoy: OnnxModel;
  let watermark: DecoyWatermark;
  const train = csv('train');
  const min = train.rows[0]!.map((_, j) => Math.min(...train.rows.map((r) => r[j]!)));
  const max = train.rows[0]!.map((_, j) => Math.max(...train.rows.map((r) => r[j]!)));
  const fit = (rows: number[][], labels: number[]) =>
    trainSurrogate(rows, labels, { classCount: 10, min, max, seed: 3 });
  const check = async (s: Surrogate) => {
    const probes = suspectProbes(watermark, 1500);
    return checkSuspect({
      watermark,
      probes,
      decoyScores: (await decoy.infer(probes)).probabilities,
      suspectScores: probes.map((x) => Array.from(surrogateProbabilities(s, x))),
      nullKeys: 5000,
    });
  };
  const rows = train.rows.slice(0, 800);

  beforeAll(async () => {
    decoy = await loadOnnxModel('models/digits/model.onnx', { threads: 1 });
    watermark = createDecoyWatermark({
      secret: 'test-secret-for-the-digits-decoy',
      model: 'digits',
      reference: csv('reference').rows,
      classCount: 10,
    });
  });
  afterAll(() => decoy.close());

  it('finds the watermark in a surrogate trained on the decoy answers', async () => {
    const honest = (await decoy.infer(rows)).probabilities;
    const answered = watermark.mark(rows, honest).probabilities;
    const result = await check(fit(rows, answered.map(argmax)));
    expect(result.verdict).toBe('watermark-found');
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.statistic).toBeGreaterThan(result.nullMean + 4 * result.nullSd);
  }, 120_000);

  it('finds nothing in copies of the unmarked model or in a model trained on true labels', async () => {
    const honest = (await decoy.infer(rows)).probabilities;
    for (const s of [fit(rows, honest.map(argmax)), fit(rows, train.labels.slice(0, 800))]) {
      const result = await check(s);
      expect(result.verdict).toBe('no-evidence');
      expect(result.pValue).toBeGreaterThan(0.001);
    }
  }, 120_000);
});
