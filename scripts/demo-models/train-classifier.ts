import {
  type DenseClassifier,
  type DenseLayer,
  fitStandardiser,
  forwardTrace,
  softmax,
} from './dense-classifier.js';
import { createRng, normal, type Rng, shuffleInPlace } from './rng.js';

export interface TrainOptions {
  /** Hidden layer widths; [] gives a linear (softmax / logistic regression) model. */
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on weights (not biases). */
  l2: number;
  seed: number;
  /**
   * Pin class 0's logit to zero. With two classes, softmax([0, z]) = [1 − σ(z), σ(z)], so the
   * model is exactly binary logistic regression on z = w·x + b.
   */
  referenceClass: boolean;
}

interface Gradients {
  weights: Float64Array[];
  bias: Float64Array[];
}

/** Adam (Kingma & Ba, 2015, arXiv:1412.6980) with the paper's default betas. */
function createAdam(params: Float64Array[], learningRate: number) {
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  let t = 0;
  return (grads: Float64Array[]): void => {
    t += 1;
    const b1 = 0.9;
    const b2 = 0.999;
    const step = (learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    params.forEach((p, k) => {
      const g = grads[k] as Float64Array;
      const mk = m[k] as Float64Array;
      const vk = v[k] as Float64Array;
      for (let i = 0; i < p.length; i += 1) {
        const gi = g[i] as number;
        mk[i] = b1 * (mk[i] as number) + (1 - b1) * gi;
        vk[i] = b2 * (vk[i] as number) + (1 - b2) * gi * gi;
        p[i] = (p[i] as number) - (step * (mk[i] as number)) / (Math.sqrt(vk[i] as number) + 1e-8);
      }
    });
  };
}

function initLayer(inputs: number, outputs: number, rng: Rng, relu: boolean): DenseLayer {
  // He initialisation before ReLU, Glorot-style 1/n otherwise.
  const std = Math.sqrt((relu ? 2 : 1) / inputs);
  const weights = Float64Array.from({ length: inputs * outputs }, () => normal(rng) * std);
  return { inputs, outputs, weights, bias: new Float64Array(outputs) };
}

/** Backpropagates one row's cross-entropy loss into `grads`; returns the row's loss. */
function accumulate(
  model: DenseClassifier,
  row: number[],
  label: number,
  grads: Gradients,
): number {
  const trace = forwardTrace(model, row);
  const probs = softmax(trace[trace.length - 1] as Float64Array);
  let delta = Float64Array.from(probs);
  delta[label] = (delta[label] as number) - 1;
  for (let k = model.layers.length - 1; k >= 0; k -= 1) {
    const layer = model.layers[k] as DenseLayer;
    const input = trace[k] as Float64Array;
    const gw = grads.weights[k] as Float64Array;
    const gb = grads.bias[k] as Float64Array;
    const back = new Float64Array(layer.inputs);
    for (let i = 0; i < layer.inputs; i += 1) {
      const xi = input[i] as number;
      const base = i * layer.outputs;
      let sum = 0;
      for (let j = 0; j < layer.outputs; j += 1) {
        gw[base + j] = (gw[base + j] as number) + xi * (delta[j] as number);
        sum += (layer.weights[base + j] as number) * (delta[j] as number);
      }
      // ReLU derivative: the hidden activation is positive exactly where its input was.
      back[i] = k > 0 && xi <= 0 ? 0 : sum;
    }
    for (let j = 0; j < layer.outputs; j += 1) gb[j] = (gb[j] as number) + (delta[j] as number);
    delta = back;
  }
  return -Math.log(Math.max(probs[label] as number, 1e-300));
}

function zeroReferenceColumn(
  layer: DenseLayer,
  arrays: { weights: Float64Array; bias: Float64Array },
): void {
  for (let i = 0; i < layer.inputs; i += 1) arrays.weights[i * layer.outputs] = 0;
  arrays.bias[0] = 0;
}

/** Mean gradients over one batch plus the L2 term, in parameter order [W0, b0, W1, b1, …]. */
function batchGradients(
  model: DenseClassifier,
  rows: number[][],
  labels: number[],
  batch: number[],
  options: TrainOptions,
): Float64Array[] {
  const { layers } = model;
  const grads: Gradients = {
    weights: layers.map((l) => new Float64Array(l.weights.length)),
    bias: layers.map((l) => new Float64Array(l.bias.length)),
  };
  for (const i of batch) accumulate(model, rows[i] as number[], labels[i] as number, grads);
  layers.forEach((l, k) => {
    const gw = grads.weights[k] as Float64Array;
    const gb = grads.bias[k] as Float64Array;
    for (let p = 0; p < gw.length; p += 1)
      gw[p] = (gw[p] as number) / batch.length + options.l2 * (l.weights[p] as number);
    for (let p = 0; p < gb.length; p += 1) gb[p] = (gb[p] as number) / batch.length;
  });
  const k = layers.length - 1;
  if (options.referenceClass) {
    zeroReferenceColumn(layers[k] as DenseLayer, {
      weights: grads.weights[k] as Float64Array,
      bias: grads.bias[k] as Float64Array,
    });
  }
  return grads.weights.flatMap((w, j) => [w, grads.bias[j] as Float64Array]);
}

/** Mini-batch Adam on mean cross-entropy plus L2. Same inputs and seed → same parameters. */
export function trainClassifier(
  rows: number[][],
  labels: number[],
  classCount: number,
  options: TrainOptions,
): DenseClassifier {
  const rng = createRng(options.seed);
  const widths = [rows[0]?.length ?? 0, ...options.hidden, classCount];
  const layers = widths
    .slice(1)
    .map((out, k) => initLayer(widths[k] as number, out, rng, k < options.hidden.length));
  const last = layers[layers.length - 1] as DenseLayer;
  if (options.referenceClass) zeroReferenceColumn(last, last);
  const model: DenseClassifier = { ...fitStandardiser(rows), layers };
  const adamStep = createAdam(
    layers.flatMap((l) => [l.weights, l.bias]),
    options.learningRate,
  );
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, rng);
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      adamStep(batchGradients(model, rows, labels, batch, options));
    }
  }
  return model;
}
