import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/index.js';
import { loadOnnxModel } from '../../src/serve/index.js';
import { buildDemoModel, type DemoModelBuild } from '../../scripts/demo-models/build-demo-model.js';
import { SPLIT_SEED, stratifiedSplit, type Splits } from '../../scripts/demo-models/dataset.js';
import { argmax, predictProbabilities } from '../../scripts/demo-models/dense-classifier.js';
import { DEMO_MODELS } from '../../scripts/demo-models/demo-specs.js';

// Retraining both models takes a few seconds; it is what proves the committed files are
// reproducible from the script and the data.
const builds = DEMO_MODELS.map((spec) => {
  const dataset = spec.read('.');
  const splits = stratifiedSplit(dataset, SPLIT_SEED);
  return { spec, splits, build: buildDemoModel(spec, dataset, splits) };
});

async function runOnnx(path: string, rows: number[][]) {
  const model = await loadOnnxModel(path);
  try {
    return await model.infer(rows);
  } finally {
    await model.close();
  }
}

describe.each(builds.map((b) => [b.spec.id, b] as const))(
  'demo model %s',
  (id, { build, splits }) => {
    const { model, card } = build as DemoModelBuild;
    const holdout = (splits as Splits).holdout;

    it('is reproduced byte for byte by the training script', () => {
      expect(sha256Hex(readFileSync(`models/${id}/model.onnx`))).toBe(sha256Hex(build.onnx));
      const committed = readFileSync(`models/${id}/model.json`, 'utf8');
      expect(committed).toBe(`${JSON.stringify(card, null, 2)}\n`);
    });

    it('reaches at least 0.95 accuracy on the holdout split', () => {
      const metrics = card.metrics as Record<string, { accuracy: number }>;
      expect(metrics.holdout?.accuracy).toBeGreaterThanOrEqual(0.95);
    });

    it('gives the same probabilities and labels in onnxruntime as in TypeScript', async () => {
      const rows = holdout.map((r) => r.features);
      const onnx = await runOnnx(`models/${id}/model.onnx`, rows);
      const classes = model.layers[model.layers.length - 1]!.outputs;
      expect(onnx.probabilities).toHaveLength(rows.length);
      let maxDiff = 0;
      rows.forEach((row, i) => {
        const expected = predictProbabilities(model, row);
        for (let c = 0; c < classes; c += 1) {
          maxDiff = Math.max(maxDiff, Math.abs(onnx.probabilities[i]![c]! - expected[c]!));
        }
        expect(onnx.labels[i]).toBe(argmax(expected));
      });
      expect(maxDiff).toBeLessThan(1e-5);
    });

    it('records the digest of its data and its ONNX file in model.json', () => {
      const data = card.data as Record<string, { path: string; sha256: string }>;
      for (const split of Object.values(data)) {
        expect(sha256Hex(readFileSync(split.path))).toBe(split.sha256);
      }
      expect((card.onnx as { sha256: string }).sha256).toBe(sha256Hex(build.onnx));
    });
  },
);
