import type { ServedModel } from './served-model.js';
import { chunkRows, invalidInput, isRecord } from './json-input.js';

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
const OUTPUT_NAMES = ['probabilities', 'label'] as const;

export interface KserveRequest {
  id: string | undefined;
  rows: unknown[][];
  outputs: (typeof OUTPUT_NAMES)[number][];
}

function parseShape(shape: unknown, featureCount: number): { rows: number; width: number } {
  if (
    !Array.isArray(shape) ||
    shape.length < 1 ||
    shape.length > 2 ||
    shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)
  ) {
    throw invalidInput(`inputs[0].shape must be [N, ${featureCount}] (non-negative integers)`);
  }
  const dims = shape as number[];
  // A rank-1 shape [F] is taken as one row, as the gateway does.
  const [rows, width] =
    dims.length === 1 ? [1, dims[0] as number] : [dims[0] as number, dims[1] as number];
  if (width !== featureCount)
    throw invalidInput(
      `inputs[0].shape ${JSON.stringify(dims)}: the model expects ${featureCount} features per row`,
    );
  if (rows === 0) throw invalidInput('inputs[0].shape has no rows: send at least one feature row');
  return { rows, width };
}

function parseOutputs(value: unknown): KserveRequest['outputs'] {
  if (value === undefined) return [...OUTPUT_NAMES];
  if (!Array.isArray(value) || value.length === 0)
    throw invalidInput('outputs must be a non-empty array of {"name": ...}');
  return value.map((o, i) => {
    const name = isRecord(o) ? o.name : undefined;
    if (!OUTPUT_NAMES.includes(name as never))
      throw invalidInput(`outputs[${i}].name must be one of ${OUTPUT_NAMES.join(', ')}`);
    return name as (typeof OUTPUT_NAMES)[number];
  });
}

export function parseKserveInfer(body: unknown, model: ServedModel): KserveRequest {
  if (!isRecord(body)) throw invalidInput('the body must be a JSON object with an "inputs" array');
  if (body.id !== undefined && typeof body.id !== 'string')
    throw invalidInput('id must be a string');
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1)
    throw invalidInput(
      `inputs must be an array with exactly one tensor named "${model.inputName}"`,
    );
  const input: unknown = inputs[0];
  if (!isRecord(input))
    throw invalidInput('inputs[0] must be an object {name, shape, datatype, data}');
  if (input.name !== model.inputName)
    throw invalidInput(
      `inputs[0].name is ${JSON.stringify(input.name)}; the model's input is "${model.inputName}"`,
    );
  if (typeof input.datatype !== 'string' || !NUMERIC_DATATYPES.has(input.datatype)) {
    throw invalidInput(
      `inputs[0].datatype ${JSON.stringify(input.datatype)} is not a numeric V2 datatype (e.g. FP32)`,
    );
  }
  const { rows, width } = parseShape(input.shape, model.featureCount);
  if (!Array.isArray(input.data)) throw invalidInput('inputs[0].data must be an array');
  // The JSON binding allows nested or flat row-major data; flatten at most the two levels a [N, F] tensor can have.
  const flat = input.data.flat(1) as unknown[];
  if (flat.length !== rows * width) {
    throw invalidInput(
      `inputs[0].shape ${JSON.stringify(input.shape)} holds ${rows * width} values but data has ${flat.length}`,
    );
  }
  return {
    id: body.id as string | undefined,
    rows: chunkRows(flat, rows, width),
    outputs: parseOutputs(body.outputs),
  };
}

export function formatKserveInfer(
  model: ServedModel,
  request: KserveRequest,
  result: { probabilities: number[][]; labels: number[] },
) {
  const n = result.labels.length;
  const tensors = {
    probabilities: {
      name: 'probabilities',
      datatype: 'FP32',
      shape: [n, model.classCount],
      data: result.probabilities.flat(),
    },
    label: { name: 'label', datatype: 'INT64', shape: [n], data: result.labels },
  };
  return {
    model_name: model.id,
    model_version: model.version,
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs: request.outputs.map((name) => tensors[name]),
  };
}

export function kserveModelMetadata(model: ServedModel, versions: string[]) {
  return {
    name: model.id,
    versions,
    platform: 'onnxruntime_onnx',
    inputs: [{ name: model.inputName, datatype: 'FP32', shape: [-1, model.featureCount] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, model.classCount] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ],
  };
}
