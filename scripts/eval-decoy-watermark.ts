// Decoy watermark: true- and false-positive rates of `fingerprint-suspect` (docs/decoys.md).
//
//   npx tsx scripts/eval-decoy-watermark.ts [--model breast-cancer] [--runs 20] [--queries 300]
//     [--share 0.25] [--strength 4] [--alpha 0.001] [--seed 1]
//
// Each run draws a fresh secret (one deployment) and checks, with the repo's own surrogate
// trainer (src/drill/attacks/surrogate.ts):
//   watermarked  a surrogate trained on the decoy's watermarked answers to `queries` natural rows;
//   unmarked     a surrogate trained on the same rows answered by the model without the watermark;
//   independent  a model trained on the true labels of a bootstrap of the training split.
// TPR is the share of watermarked surrogates found; FPR the share of the other two found.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createDecoyWatermark } from '../src/core/index.js';
import {
  createRandom,
  surrogateProbabilities,
  trainSurrogate,
} from '../src/drill/attacks/index.js';
import { checkSuspect, suspectProbes } from '../src/registry/index.js';
import { loadOnnxModel } from '../src/serve/index.js';
import { featureRanges, readSplit } from './eval/data.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'breast-cancer' },
    runs: { type: 'string', default: '20' },
    queries: { type: 'string', default: '300' },
    share: { type: 'string', default: '0.25' },
    strength: { type: 'string', default: '4' },
    alpha: { type: 'string', default: '0.001' },
    seed: { type: 'string', default: '1' },
  },
});
const model = values.model;
const runs = Number(values.runs);
const queries = Number(values.queries);
const alpha = Number(values.alpha);
const root = process.cwd();
const train = readSplit(root, model, 'train');
const reference = readSplit(root, model, 'reference');
const holdout = readSplit(root, model, 'holdout');
const { min, max } = featureRanges([...train.rows, ...holdout.rows]);
const classCount = new Set(train.labels).size;
const onnx = await loadOnnxModel(`models/${model}/model.onnx`, { threads: 1 });
const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < p.length; i += 1) if (p[i]! > p[b]!) b = i;
  return b;
};

function sample<T>(items: readonly T[], count: number, seed: number, replace: boolean): T[] {
  const random = createRandom(seed);
  if (replace) return Array.from({ length: count }, () => items[random.int(items.length)]!);
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i -= 1) {
    const j = random.int(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

const found = { watermarked: 0, unmarked: 0, independent: 0 };
const pValues: Record<keyof typeof found, number[]> = {
  watermarked: [],
  unmarked: [],
  independent: [],
};
let changed = 0;
let answered = 0;
let fidelity = 0;
const started = Date.now();
for (let run = 0; run < runs; run += 1) {
  const seed = Number(values.seed) * 1000 + run;
  const secret = createHash('sha256').update(`eval-decoy-watermark/${seed}`).digest();
  const watermark = createDecoyWatermark({
    secret,
    model,
    reference: reference.rows,
    classCount,
    share: Number(values.share),
    strength: Number(values.strength),
  });
  const rows = sample(train.rows, Math.min(queries, train.rows.length), seed, false);
  const honest = (await onnx.infer(rows)).probabilities;
  const marked = watermark.mark(rows, honest).probabilities;
  changed += marked.filter((p, i) => argmax(p) !== argmax(honest[i]!)).length;
  answered += rows.length;
  const fit = (r: number[][], labels: number[], s: number) =>
    trainSurrogate(r, labels, { classCount, min, max, seed: s });
  const boot = sample([...train.rows.keys()], train.rows.length, seed + 7, true);
  const suspects = {
    watermarked: fit(rows, marked.map(argmax), seed),
    unmarked: fit(rows, honest.map(argmax), seed),
    independent: fit(
      boot.map((i) => train.rows[i]!),
      boot.map((i) => train.labels[i]!),
      seed + 1,
    ),
  };
  const holdoutHonest = (await onnx.infer(holdout.rows)).labels;
  fidelity +=
    holdout.rows.filter(
      (x, i) => argmax(surrogateProbabilities(suspects.watermarked, x)) === holdoutHonest[i],
    ).length / holdout.rows.length;
  const probes = suspectProbes(watermark);
  const decoyScores = (await onnx.infer(probes)).probabilities;
  for (const [kind, s] of Object.entries(suspects) as [
    keyof typeof found,
    typeof suspects.unmarked,
  ][]) {
    const check = checkSuspect({
      watermark,
      probes,
      decoyScores,
      suspectScores: probes.map((x) => Array.from(surrogateProbabilities(s, x))),
      alpha,
    });
    pValues[kind].push(check.pValue);
    if (check.verdict === 'watermark-found') found[kind] += 1;
  }
}
await onnx.close();
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const line = (kind: keyof typeof found) =>
  `${kind.padEnd(12)} found ${found[kind]}/${runs}  median p ${median(pValues[kind]).toExponential(2)}`;
process.stdout.write(
  [
    `decoy watermark on ${model}: ${runs} runs, ${queries} natural queries each, share ${values.share}, strength ${values.strength}, alpha ${alpha}`,
    `decoy answers whose decision the watermark changed: ${((100 * changed) / answered).toFixed(1)} %`,
    `watermarked surrogate agreement with the decoy's model on holdout: ${((100 * fidelity) / runs).toFixed(1)} %`,
    `TPR: ${line('watermarked')}`,
    `FPR: ${line('unmarked')}`,
    `FPR: ${line('independent')}`,
    `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    '',
  ].join('\n'),
);
