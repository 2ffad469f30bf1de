import { protoFields, protoString, type ByteSource, type ProtoField } from '../../scan/index.js';
import type { TensorSource } from './tensor-source.js';

/** ONNX TensorProto.DataType → the safetensors name used across the diff. */
const ONNX_DTYPES: Record<number, string> = {
  1: 'F32',
  2: 'U8',
  3: 'I8',
  4: 'U16',
  5: 'I16',
  6: 'I32',
  7: 'I64',
  8: 'STRING',
  9: 'BOOL',
  10: 'F16',
  11: 'F64',
  12: 'U32',
  13: 'U64',
  16: 'BF16',
};

export interface GraphNode {
  readonly key: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface ModelStructure {
  readonly format: 'onnx' | 'safetensors';
  readonly tensors: readonly TensorSource[];
  /** ONNX only: the main graph's nodes (subgraphs of If/Loop are counted under their parent). */
  readonly nodes: readonly GraphNode[];
}

const sub = (src: ByteSource, f: ProtoField) => protoFields(src, f.start, f.start + f.length);

/** Reads an ONNX ModelProto's initializers and nodes, leaving tensor payloads in the file. */
export function readOnnxStructure(src: ByteSource): ModelStructure {
  const tensors: TensorSource[] = [];
  const nodes: GraphNode[] = [];
  for (const f of protoFields(src, 0, src.size)) {
    if (f.field !== 7 || f.wire !== 2) continue;
    for (const g of sub(src, f)) {
      if (g.wire !== 2) continue;
      if (g.field === 1) nodes.push(readNode(src, g, nodes.length));
      else if (g.field === 5) tensors.push(readTensor(src, g));
    }
  }
  return { format: 'onnx', tensors, nodes };
}

function readNode(src: ByteSource, msg: ProtoField, index: number): GraphNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let op = '';
  let domain = '';
  for (const f of sub(src, msg)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) inputs.push(protoString(src, f, 4096));
    else if (f.field === 2) outputs.push(protoString(src, f, 4096));
    else if (f.field === 3) name = protoString(src, f, 4096);
    else if (f.field === 4) op = protoString(src, f, 256);
    else if (f.field === 7) domain = protoString(src, f, 256);
  }
  const qualified = domain ? `${domain}::${op}` : op;
  // Unnamed nodes are matched by what they compute from and into.
  const key = name || `${qualified}(${inputs.join(',')})->${outputs.join(',') || `#${index}`}`;
  return { key, op: qualified, inputs, outputs };
}

function readTensor(src: ByteSource, msg: ProtoField): TensorSource {
  const shape: number[] = [];
  let dtype = 'UNKNOWN';
  let name = '';
  let data: ProtoField | undefined;
  let varintData = false;
  let external = false;
  for (const f of sub(src, msg)) {
    if (f.field === 1) {
      if (f.wire === 0) shape.push(f.varint);
      else if (f.wire === 2) for (const d of packedVarints(src, f)) shape.push(d);
    } else if (f.field === 2 && f.wire === 0) dtype = ONNX_DTYPES[f.varint] ?? `ONNX_${f.varint}`;
    else if (f.field === 8 && f.wire === 2) name = protoString(src, f, 4096);
    // raw_data, float_data (packed float32) and double_data (packed float64) are fixed width.
    else if ((f.field === 9 || f.field === 4 || f.field === 10) && f.wire === 2) data = f;
    else if ((f.field === 5 || f.field === 7 || f.field === 11) && f.wire === 2) varintData = true;
    else if (f.field === 14 && f.wire === 0 && f.varint === 1) external = true;
  }
  if (external) return { name, dtype, shape, bytes: null, unreadable: 'external data' };
  if (!data)
    return {
      name,
      dtype,
      shape,
      bytes: null,
      ...(varintData ? { unreadable: 'varint-packed values' } : {}),
    };
  return { name, dtype, shape, bytes: { src, offset: data.start, length: data.length } };
}

function* packedVarints(src: ByteSource, f: ProtoField): Generator<number> {
  const b = src.read(f.start, f.length);
  let v = 0;
  let shift = 0;
  for (const byte of b) {
    v += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) shift += 7;
    else {
      yield v;
      v = 0;
      shift = 0;
    }
  }
}
