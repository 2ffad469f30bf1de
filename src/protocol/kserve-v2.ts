import { invalidInput, isRecord } from './errors.js';
import { numberRow } from './rows.js';

/*
 * KServe V2 / Open Inference Protocol, REST binding
 * (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/).
 */

const NUMERIC_DATATYPES = new Set([
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
]);
export const KSERVE_OUTPUTS = ['probabilities', 'label'] as const;
export type KserveOutputName = (typeof KSERVE_OUTPUTS)[number];

/** What aisoc knows of the model before reading a request; checks that need it run only then. */
export interface ModelShape {
  /** The input tensor's name (in-process models): `inputs` must then hold exactly that tensor. */
  inputName?: string | undefined;
  featureCount?: number | undefined;
}

export interface KserveRequest {
  id: string | undefined;
  rows: number[][];
}

/** Reads the feature rows of an infer request from its first input tensor. */
export function decodeKserve(body: unknown, shape: ModelShape = {}): KserveRequest {
  if (!isRecord(body) || !Array.isArray(body.inputs))
    throw invalidInput(
      'the body must be a JSON object with a non-empty "inputs" array (KServe V2)',
    );
  if (body.id !== undefined && typeof body.id !== 'string')
    throw invalidInput('id must be a string');
  if (shape.inputName !== undefined && body.inputs.length !== 1)
    throw invalidInput(
      `inputs must be an array with exactly one tensor named "${shape.inputName}"`,
    );
  if (body.inputs.length === 0) throw invalidInput('"inputs" is empty: send one input tensor');
  const input: unknown = body.inputs[0];
  if (!isRecord(input))
    throw invalidInput('inputs[0] must be an object {name, shape, datatype, data}');
  if (shape.inputName !== undefined && input.name !== shape.inputName)
    throw invalidInput(
      `inputs[0].name is ${JSON.stringify(input.name)}; the model's input is "${shape.inputName}"`,
    );
  // The spec makes datatype required; a proxy in front of other servers only checks one if sent.
  if (
    (input.datatype !== undefined || shape.inputName !== undefined) &&
    (typeof input.datatype !== 'string' || !NUMERIC_DATATYPES.has(input.datatype))
  )
    throw invalidInput(
      `inputs[0].datatype ${JSON.stringify(input.datatype)} is not a numeric V2 datatype (e.g. FP32)`,
    );
  const dims = input.shape;
  if (
    !Array.isArray(dims) ||
    dims.length === 0 ||
    dims.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)
  )
    throw invalidInput('inputs[0].shape must be an array of non-negative integers');
  // [F] is one row; [N, F, …] is N rows of the product of the rest (row-major).
  const rows = dims.length === 1 ? 1 : (dims[0] as number);
  const width =
    dims.length === 1
      ? (dims[0] as number)
      : (dims.slice(1) as number[]).reduce((a, b) => a * b, 1);
  if (shape.featureCount !== undefined && width !== shape.featureCount)
    throw invalidInput(
      `inputs[0].shape ${JSON.stringify(dims)}: the model expects ${shape.featureCount} features per row`,
    );
  if (rows === 0) throw invalidInput('inputs[0].shape has no rows: send at least one feature row');
  if (!Array.isArray(input.data)) throw invalidInput('inputs[0].data must be an array');
  // The JSON binding allows flat or nested row-major data; flat is the common, cheap case.
  const data = input.data as unknown[];
  const flat = data.some(Array.isArray) ? (data.flat(Infinity) as unknown[]) : data;
  if (flat.length !== rows * width)
    throw invalidInput(
      `inputs[0].shape ${JSON.stringify(dims)} holds ${rows * width} values but data has ${flat.length}`,
    );
  const out: number[][] = [];
  for (let r = 0; r < rows; r++)
    out.push(numberRow(flat.slice(r * width, (r + 1) * width), r, 'inputs[0].data'));
  return { id: body.id as string | undefined, rows: out };
}

/** The outputs a request asks for (`outputs: [{name}]`), all of them when it names none. */
export function requestedKserveOutputs(body: unknown): KserveOutputName[] {
  const value = isRecord(body) ? body.outputs : undefined;
  if (value === undefined) return [...KSERVE_OUTPUTS];
  if (!Array.isArray(value) || value.length === 0)
    throw invalidInput('outputs must be a non-empty array of {"name": ...}');
  return value.map((o, i) => {
    const name = isRecord(o) ? o.name : undefined;
    if (!KSERVE_OUTPUTS.includes(name as never))
      throw invalidInput(`outputs[${i}].name must be one of ${KSERVE_OUTPUTS.join(', ')}`);
    return name as KserveOutputName;
  });
}

/** An infer answer of a classifier: probabilities [N, classes] and labels [N]. */
export function encodeKserve(
  model: { id: string; version: string },
  request: { id?: string | undefined; outputs?: readonly KserveOutputName[] },
  result: { probabilities: number[][]; labels: number[] },
) {
  const n = result.labels.length;
  const tensors = {
    probabilities: {
      name: 'probabilities',
      datatype: 'FP32',
      shape: [n, result.probabilities[0]?.length ?? 0],
      data: result.probabilities.flat(),
    },
    label: { name: 'label', datatype: 'INT64', shape: [n], data: result.labels },
  };
  return {
    model_name: model.id,
    model_version: model.version,
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs: (request.outputs ?? KSERVE_OUTPUTS).map((name) => tensors[name]),
  };
}

/** One output per row from an answer (the `probabilities` tensor, else the first); null if unknown. */
export function kserveOutputs(body: Record<string, unknown>): unknown[] | null {
  const outputs = body.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) return null;
  const named = outputs.find((o) => isRecord(o) && o.name === 'probabilities') ?? outputs[0];
  if (!isRecord(named) || !Array.isArray(named.data)) return null;
  const shape = Array.isArray(named.shape) ? (named.shape as number[]) : [named.data.length];
  const data = named.data as unknown[];
  return reshape(data.some(Array.isArray) ? (data.flat(Infinity) as unknown[]) : data, shape);
}

function reshape(flat: unknown[], shape: number[]): unknown[] {
  if (shape.length < 2) return flat;
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i + width <= flat.length; i += width) out.push(flat.slice(i, i + width));
  return out;
}

/** What a model is, per the spec's model metadata response: name, versions, platform, tensors. */
export interface KserveModelInfo {
  id: string;
  versions: readonly string[];
  /** e.g. `onnxruntime_onnx` for an in-process ONNX model; empty when aisoc cannot tell. */
  platform: string;
  inputName?: string | undefined;
  featureCount?: number | undefined;
  classCount?: number | undefined;
}

/** The model metadata response (`GET /v2/models/{m}[/versions/{v}]`); -1 is a dimension not known. */
export function kserveModelMetadata(info: KserveModelInfo) {
  return {
    name: info.id,
    versions: [...info.versions],
    platform: info.platform,
    inputs: [
      { name: info.inputName ?? 'input', datatype: 'FP32', shape: [-1, info.featureCount ?? -1] },
    ],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, info.classCount ?? -1] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ],
  };
}
