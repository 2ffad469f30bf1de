import { invalidInput, isRecord } from './errors.js';
import { featureRows } from './rows.js';

/*
 * TensorFlow Serving REST predict API (https://www.tensorflow.org/tfx/serving/api_rest).
 * aisoc's classifiers have one input (the feature row) and one output, the class
 * probabilities, so predictions are plain probability vectors.
 */

export interface TfRequest {
  rows: number[][];
  /** Columnar requests (`inputs`) are answered with `outputs`, row ones with `predictions`. */
  columnar: boolean;
}

/**
 * Row format `{"instances": [...]}` (plain rows, or named `[{"<input>": [...]}]`) or columnar
 * `{"inputs": [...] | {"<input>": [...]}}`. Without the input's name (a model behind a proxy),
 * a named request must name exactly one input.
 */
export function decodeTf(
  body: unknown,
  shape: { inputName?: string | undefined; featureCount?: number | undefined } = {},
): TfRequest {
  if (!isRecord(body))
    throw invalidInput('the body must be a JSON object with "instances" or "inputs" (TF Serving)');
  if (body.instances !== undefined && body.inputs !== undefined)
    throw invalidInput('send either "instances" or "inputs", not both');
  if (body.instances !== undefined) {
    const instances = body.instances;
    if (Array.isArray(instances) && isRecord(instances[0])) {
      const named = instances.map((inst, i) => {
        const value = isRecord(inst) ? namedInput(inst, shape.inputName) : undefined;
        if (!Array.isArray(value))
          throw invalidInput(
            `instances[${i}] must be an object with "${shape.inputName ?? 'input'}": [numbers]`,
          );
        return value;
      });
      return { rows: featureRows(named, 'instances', shape.featureCount), columnar: false };
    }
    return { rows: featureRows(instances, 'instances', shape.featureCount), columnar: false };
  }
  if (body.inputs !== undefined) {
    const inputs = isRecord(body.inputs) ? namedInput(body.inputs, shape.inputName) : body.inputs;
    if (inputs === undefined)
      throw invalidInput(`inputs has no "${shape.inputName ?? 'input'}" entry`);
    return { rows: featureRows(inputs, 'inputs', shape.featureCount), columnar: true };
  }
  throw invalidInput('the body needs "instances" (row format) or "inputs" (columnar format)');
}

function namedInput(record: Record<string, unknown>, inputName: string | undefined): unknown {
  if (inputName !== undefined)
    return Object.hasOwn(record, inputName) ? record[inputName] : undefined;
  const keys = Object.keys(record);
  return keys.length === 1 ? record[keys[0]!] : undefined;
}

export function encodeTf(request: { columnar?: boolean }, result: { probabilities: number[][] }) {
  return request.columnar
    ? { outputs: result.probabilities }
    : { predictions: result.probabilities };
}

/** One output per row from an answer: `predictions`, or `outputs` of a columnar one. */
export function tfOutputs(body: Record<string, unknown>): unknown[] | null {
  if (Array.isArray(body.predictions)) return body.predictions;
  return Array.isArray(body.outputs) ? body.outputs : null;
}

/** The model status response (`GET /v1/models/{m}[/versions/{v}]`). */
export function tfModelStatus(versions: readonly string[]) {
  return {
    model_version_status: versions.map((version) => ({
      version,
      state: 'AVAILABLE',
      status: { error_code: 'OK', error_message: '' },
    })),
  };
}
