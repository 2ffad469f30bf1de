/**
 * A feed-forward classifier: standardisation, dense layers (ReLU between them), softmax.
 * Plain arrays and float64 arithmetic; `toFloat32` rounds parameters to what ONNX stores.
 */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs], the layout of ONNX MatMul's second operand. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface DenseClassifier {
  /** Feature means of the training split. */
  mean: Float64Array;
  /** 1 / standard deviation (1 where a feature is constant). */
  scale: Float64Array;
  layers: DenseLayer[];
}

/** Fits the standardisation on the training rows. */
export function fitStandardiser(rows: number[][]): { mean: Float64Array; scale: Float64Array } {
  const f = rows[0]?.length ?? 0;
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  for (let j = 0; j < f; j += 1) {
    let sum = 0;
    for (const row of rows) sum += row[j] as number;
    const m = sum / rows.length;
    let sq = 0;
    for (const row of rows) sq += ((row[j] as number) - m) ** 2;
    const std = Math.sqrt(sq / rows.length);
    mean[j] = m;
    scale[j] = std > 1e-12 ? 1 / std : 1;
  }
  return { mean, scale };
}

/** y = x·W + b for one row. */
export function dense(layer: DenseLayer, x: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(layer.bias);
  for (let i = 0; i < layer.inputs; i += 1) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    const base = i * layer.outputs;
    for (let j = 0; j < layer.outputs; j += 1)
      y[j] = (y[j] as number) + xi * (layer.weights[base + j] as number);
  }
  return y;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < logits.length; j += 1) max = Math.max(max, logits[j] as number);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < logits.length; j += 1) {
    out[j] = Math.exp((logits[j] as number) - max);
    sum += out[j] as number;
  }
  for (let j = 0; j < out.length; j += 1) out[j] = (out[j] as number) / sum;
  return out;
}

export function standardise(model: DenseClassifier, row: readonly number[]): Float64Array {
  return Float64Array.from(
    row,
    (v, j) => (v - (model.mean[j] as number)) * (model.scale[j] as number),
  );
}

/** Activations of every layer for one row: [standardised input, hidden…, logits]. */
export function forwardTrace(model: DenseClassifier, row: readonly number[]): Float64Array[] {
  const trace = [standardise(model, row)];
  model.layers.forEach((layer, k) => {
    const z = dense(layer, trace[trace.length - 1] as Float64Array);
    if (k < model.layers.length - 1)
      for (let j = 0; j < z.length; j += 1) z[j] = Math.max(0, z[j] as number);
    trace.push(z);
  });
  return trace;
}

export function predictProbabilities(model: DenseClassifier, row: readonly number[]): Float64Array {
  const trace = forwardTrace(model, row);
  return softmax(trace[trace.length - 1] as Float64Array);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j += 1)
    if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

/** The same model with every parameter rounded to float32, as the ONNX file stores it. */
export function toFloat32(model: DenseClassifier): DenseClassifier {
  const round = (a: Float64Array): Float64Array => Float64Array.from(a, Math.fround);
  return {
    mean: round(model.mean),
    scale: round(model.scale),
    layers: model.layers.map((l) => ({ ...l, weights: round(l.weights), bias: round(l.bias) })),
  };
}
