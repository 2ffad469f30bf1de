import { sha256Hex } from '../../src/core/index.js';
import {
  type Dataset,
  type Row,
  SPLIT_NAMES,
  type SplitName,
  type Splits,
  toCsv,
} from './dataset.js';
import {
  argmax,
  type DenseClassifier,
  predictProbabilities,
  toFloat32,
} from './dense-classifier.js';
import type { DemoModelSpec } from './demo-specs.js';
import { exportClassifierToOnnx, IR_VERSION, OPSET_VERSION } from './onnx-export.js';
import { trainClassifier } from './train-classifier.js';

export interface SplitMetrics {
  rows: number;
  accuracy: number;
  logLoss: number;
}

export interface DemoModelBuild {
  /** The trained model with float32-rounded parameters (what the ONNX file holds). */
  model: DenseClassifier;
  onnx: Uint8Array;
  /** The content of model.json. */
  card: Record<string, unknown>;
  csv: Record<SplitName, string>;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function evaluate(model: DenseClassifier, rows: Row[]): SplitMetrics {
  let correct = 0;
  let loss = 0;
  for (const row of rows) {
    const p = predictProbabilities(model, row.features);
    if (argmax(p) === row.label) correct += 1;
    loss -= Math.log(Math.max(p[row.label] as number, 1e-15));
  }
  return {
    rows: rows.length,
    accuracy: round6(correct / rows.length),
    logLoss: round6(loss / rows.length),
  };
}

/** Trains, rounds and exports one demo model; pure apart from CPU time. */
export function buildDemoModel(
  spec: DemoModelSpec,
  dataset: Dataset,
  splits: Splits,
): DemoModelBuild {
  const train = splits.train;
  const trained = trainClassifier(
    train.map((r) => r.features),
    train.map((r) => r.label),
    dataset.classes.length,
    spec.train,
  );
  const model = toFloat32(trained);
  const version = '1';
  const onnx = exportClassifierToOnnx(model, {
    id: spec.id,
    version,
    docString: `${spec.description} ${spec.architecture}.`,
    metadata: { id: spec.id, version, classes: JSON.stringify(dataset.classes) },
  });
  const csv = Object.fromEntries(
    SPLIT_NAMES.map((n) => [n, toCsv(dataset.featureNames, splits[n])]),
  ) as Record<SplitName, string>;
  const card = {
    id: spec.id,
    version,
    description: spec.description,
    architecture: spec.architecture,
    features: dataset.featureNames,
    classes: dataset.classes,
    input: { name: 'input', datatype: 'FP32', shape: [-1, dataset.featureNames.length] },
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, dataset.classes.length] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ],
    training: { ...spec.train, optimiser: 'adam', loss: 'cross-entropy' },
    metrics: Object.fromEntries(SPLIT_NAMES.map((n) => [n, evaluate(model, splits[n])])),
    data: Object.fromEntries(
      SPLIT_NAMES.map((n) => [
        n,
        { path: `data/${spec.id}/${n}.csv`, rows: splits[n].length, sha256: sha256Hex(csv[n]) },
      ]),
    ),
    onnx: {
      path: `models/${spec.id}/model.onnx`,
      sha256: sha256Hex(onnx),
      bytes: onnx.length,
      opset: OPSET_VERSION,
      irVersion: IR_VERSION,
    },
  };
  return { model, onnx, card, csv };
}
