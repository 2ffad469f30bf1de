import { ProtoWriter } from './proto-writer.js';

/*
 * The subset of onnx.proto (ONNX IR, https://github.com/onnx/onnx/blob/main/docs/IR.md) that a
 * feed-forward classifier needs. Field numbers are the spec's; comments name the message.
 */

export const TENSOR_FLOAT = 1;
export const TENSOR_INT64 = 7;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** Stored as raw little-endian float32 (TensorProto.raw_data). */
  floats: Float32Array;
}

export type OnnxAttribute = { name: string; int: number };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

/** A tensor value: element type and a shape whose entries are sizes or symbolic names. */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

export interface OnnxModelSpec {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
}

function tensor(t: OnnxTensor): ProtoWriter {
  const raw = new Uint8Array(t.floats.length * 4);
  const view = new DataView(raw.buffer);
  t.floats.forEach((v, i) => view.setFloat32(i * 4, v, true));
  // TensorProto: dims=1, data_type=2, name=8, raw_data=9
  return new ProtoWriter()
    .packedInts(1, t.dims)
    .int(2, TENSOR_FLOAT)
    .string(8, t.name)
    .bytes(9, raw);
}

function attribute(a: OnnxAttribute): ProtoWriter {
  // AttributeProto: name=1, i=3, type=20 (INT = 2)
  return new ProtoWriter().string(1, a.name).int(3, a.int).int(20, 2);
}

function node(n: OnnxNode): ProtoWriter {
  // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
  const w = new ProtoWriter();
  for (const input of n.inputs) w.string(1, input);
  for (const output of n.outputs) w.string(2, output);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  // TensorShapeProto.dim=1; Dimension: dim_value=1 | dim_param=2
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim =
      typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  // TypeProto.Tensor: elem_type=1, shape=2; TypeProto: tensor_type=1; ValueInfoProto: name=1, type=2
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(spec: OnnxModelSpec): ProtoWriter {
  // GraphProto: node=1, name=2, initializer=5, input=11, output=12
  const w = new ProtoWriter();
  for (const n of spec.nodes) w.message(1, node(n));
  w.string(2, spec.graphName);
  for (const t of spec.initializers) w.message(5, tensor(t));
  for (const v of spec.inputs) w.message(11, valueInfo(v));
  for (const v of spec.outputs) w.message(12, valueInfo(v));
  return w;
}

/** Serialises a ModelProto. The same spec always gives the same bytes. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, model_version=5,
  // doc_string=6, graph=7, opset_import=8 (OperatorSetIdProto: domain=1, version=2),
  // metadata_props=14 (StringStringEntryProto: key=1, value=2)
  const w = new ProtoWriter()
    .int(1, spec.irVersion)
    .string(2, spec.producerName)
    .string(3, spec.producerVersion)
    .int(5, spec.modelVersion)
    .string(6, spec.docString)
    .message(7, graph(spec))
    .message(8, new ProtoWriter().string(1, '').int(2, spec.opsetVersion));
  for (const key of Object.keys(spec.metadata).sort()) {
    w.message(14, new ProtoWriter().string(1, key).string(2, spec.metadata[key] as string));
  }
  return w.finish();
}
