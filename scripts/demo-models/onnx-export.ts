import type { DenseClassifier } from './dense-classifier.js';
import {
  encodeOnnxModel,
  type OnnxModelSpec,
  type OnnxNode,
  type OnnxTensor,
  TENSOR_FLOAT,
  TENSOR_INT64,
} from './onnx-model.js';

/** ONNX opset 17 with IR version 8, the pair onnx 1.12+ writes (docs/Versioning.md). */
export const OPSET_VERSION = 17;
export const IR_VERSION = 8;

export interface ExportOptions {
  id: string;
  version: string;
  docString: string;
  metadata: Record<string, string>;
}

function layerNodes(
  model: DenseClassifier,
  first: string,
): { nodes: OnnxNode[]; tensors: OnnxTensor[]; logits: string } {
  const nodes: OnnxNode[] = [];
  const tensors: OnnxTensor[] = [];
  let current = first;
  model.layers.forEach((layer, k) => {
    const w = `dense${k}_weight`;
    const b = `dense${k}_bias`;
    tensors.push({
      name: w,
      dims: [layer.inputs, layer.outputs],
      floats: Float32Array.from(layer.weights),
    });
    tensors.push({ name: b, dims: [layer.outputs], floats: Float32Array.from(layer.bias) });
    nodes.push({
      opType: 'MatMul',
      name: `dense${k}_matmul`,
      inputs: [current, w],
      outputs: [`dense${k}_product`],
    });
    nodes.push({
      opType: 'Add',
      name: `dense${k}_add`,
      inputs: [`dense${k}_product`, b],
      outputs: [`dense${k}_out`],
    });
    current = `dense${k}_out`;
    if (k < model.layers.length - 1) {
      nodes.push({
        opType: 'Relu',
        name: `dense${k}_relu`,
        inputs: [current],
        outputs: [`dense${k}_relu`],
      });
      current = `dense${k}_relu`;
    }
  });
  return { nodes, tensors, logits: current };
}

/**
 * The graph: input → Sub(mean) → Mul(1/std) → [MatMul → Add → Relu]* → MatMul → Add →
 * Softmax → `probabilities`, and ArgMax(probabilities) → `label` (int64). Standardisation is
 * inside the graph so callers send raw feature values.
 */
export function exportClassifierToOnnx(model: DenseClassifier, options: ExportOptions): Uint8Array {
  const featureCount = model.mean.length;
  const classCount = model.layers[model.layers.length - 1]?.outputs ?? 0;
  const body = layerNodes(model, 'standardised');
  const spec: OnnxModelSpec = {
    irVersion: IR_VERSION,
    opsetVersion: OPSET_VERSION,
    producerName: 'aisoc-demo-models',
    producerVersion: '1',
    modelVersion: Number(options.version),
    docString: options.docString,
    graphName: options.id,
    initializers: [
      { name: 'feature_mean', dims: [featureCount], floats: Float32Array.from(model.mean) },
      { name: 'feature_scale', dims: [featureCount], floats: Float32Array.from(model.scale) },
      ...body.tensors,
    ],
    nodes: [
      { opType: 'Sub', name: 'centre', inputs: ['input', 'feature_mean'], outputs: ['centred'] },
      {
        opType: 'Mul',
        name: 'scale',
        inputs: ['centred', 'feature_scale'],
        outputs: ['standardised'],
      },
      ...body.nodes,
      {
        opType: 'Softmax',
        name: 'softmax',
        inputs: [body.logits],
        outputs: ['probabilities'],
        attributes: [{ name: 'axis', int: 1 }],
      },
      {
        opType: 'ArgMax',
        name: 'argmax',
        inputs: ['probabilities'],
        outputs: ['label'],
        attributes: [
          { name: 'axis', int: 1 },
          { name: 'keepdims', int: 0 },
        ],
      },
    ],
    inputs: [{ name: 'input', elemType: TENSOR_FLOAT, shape: ['N', featureCount] }],
    outputs: [
      { name: 'probabilities', elemType: TENSOR_FLOAT, shape: ['N', classCount] },
      { name: 'label', elemType: TENSOR_INT64, shape: ['N'] },
    ],
    metadata: options.metadata,
  };
  return encodeOnnxModel(spec);
}
