import type { GatewayProtocol } from '../core/index.js';
import { GatewayError } from './errors.js';

/** What the gateway needs from a request body: the rows the model is asked about. */
export interface ParsedRequest {
  rows: number[][];
}

export interface GenericPointers {
  featuresPointer: string;
  outputsPointer: string;
}

/** Extracts the feature rows of a request in the given protocol, or throws GATEWAY_INPUT_INVALID. */
export function extractRows(
  protocol: GatewayProtocol,
  body: unknown,
  pointers?: GenericPointers,
): number[][] {
  switch (protocol) {
    case 'kserve-v2':
      return kserveRows(body);
    case 'tf-serving':
      return tfRows(body);
    case 'generic-json':
      return toRows(resolvePointer(body, pointers?.featuresPointer ?? '/features'), 'features');
  }
}

/** Extracts one output per row from an upstream answer; null when the shape is unknown. */
export function extractOutputs(
  protocol: GatewayProtocol,
  body: unknown,
  pointers?: GenericPointers,
): unknown[] | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  switch (protocol) {
    case 'kserve-v2': {
      const outputs = record.outputs;
      if (!Array.isArray(outputs) || outputs.length === 0) return null;
      const named = outputs.find((o) => isRecord(o) && o.name === 'probabilities') ?? outputs[0];
      if (!isRecord(named) || !Array.isArray(named.data)) return null;
      const shape = Array.isArray(named.shape) ? (named.shape as number[]) : [named.data.length];
      return reshape(named.data.flat(Infinity) as unknown[], shape);
    }
    case 'tf-serving':
      return Array.isArray(record.predictions)
        ? record.predictions
        : Array.isArray(record.outputs)
          ? record.outputs
          : null;
    case 'generic-json': {
      const value = safePointer(body, pointers?.outputsPointer ?? '/predictions');
      return Array.isArray(value) ? value : null;
    }
  }
}

/** Builds the answer of an in-process model in the protocol the client spoke. */
export function buildResponse(
  protocol: GatewayProtocol,
  model: string,
  version: string,
  result: { probabilities: number[][]; labels: number[] },
): unknown {
  const n = result.labels.length;
  const classes = result.probabilities[0]?.length ?? 0;
  switch (protocol) {
    case 'kserve-v2':
      return {
        model_name: model,
        model_version: version,
        outputs: [
          {
            name: 'probabilities',
            datatype: 'FP32',
            shape: [n, classes],
            data: result.probabilities.flat(),
          },
          { name: 'label', datatype: 'INT64', shape: [n], data: result.labels },
        ],
      };
    case 'tf-serving':
      return { predictions: result.probabilities };
    case 'generic-json':
      return {
        predictions: result.labels.map((label, i) => ({
          label,
          probabilities: result.probabilities[i],
        })),
      };
  }
}

function kserveRows(body: unknown): number[][] {
  if (!isRecord(body) || !Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw invalid('body must be an object with a non-empty "inputs" array (KServe V2)');
  }
  const input = body.inputs[0];
  if (!isRecord(input) || !Array.isArray(input.data))
    throw invalid('inputs[0].data must be an array');
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    throw invalid('inputs[0].shape must be an array of non-negative integers');
  }
  const flat = input.data.flat(Infinity) as unknown[];
  const dims = shape as number[];
  const rows = dims.length === 1 ? 1 : dims[0]!;
  const width = dims.length === 1 ? dims[0]! : dims.slice(1).reduce((a, b) => a * b, 1);
  if (rows * width !== flat.length) {
    throw invalid(
      `inputs[0].shape ${JSON.stringify(dims)} holds ${rows * width} values but data has ${flat.length}`,
    );
  }
  const out: number[][] = [];
  for (let r = 0; r < rows; r++)
    out.push(numbers(flat.slice(r * width, (r + 1) * width), `inputs[0].data row ${r}`));
  return out;
}

function tfRows(body: unknown): number[][] {
  if (!isRecord(body)) throw invalid('body must be a JSON object (TF Serving)');
  const value = body.instances ?? body.inputs;
  if (value === undefined) throw invalid('body needs "instances" or "inputs" (TF Serving)');
  return toRows(value, body.instances !== undefined ? 'instances' : 'inputs');
}

function toRows(value: unknown, where: string): number[][] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid(`${where} must be a non-empty array`);
  if (!Array.isArray(value[0])) return [numbers(value, where)];
  return value.map((row, i) => {
    if (!Array.isArray(row)) throw invalid(`${where}[${i}] must be an array of numbers`);
    return numbers(row, `${where}[${i}]`);
  });
}

function numbers(values: unknown[], where: string): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalid(`${where}[${i}] is not a finite number`);
    out[i] = v;
  }
  return out;
}

function reshape(flat: unknown[], shape: number[]): unknown[] {
  if (shape.length < 2) return flat;
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i + width <= flat.length; i += width) out.push(flat.slice(i, i + width));
  return out;
}

/** RFC 6901 JSON Pointer. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  const value = safePointer(doc, pointer);
  if (value === undefined) throw invalid(`nothing at JSON pointer ${pointer}`);
  return value;
}

function safePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = /^(0|[1-9]\d*)$/.test(token) ? node[Number(token)] : undefined;
    else if (isRecord(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): GatewayError {
  return new GatewayError('GATEWAY_INPUT_INVALID', message);
}
