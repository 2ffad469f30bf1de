import { invalidInput, isRecord, toRows } from './json-input.js';

/*
 * TensorFlow Serving REST predict API (https://www.tensorflow.org/tfx/serving/api_rest).
 * The served signature has one input (the feature row) and one output, the class
 * probabilities, so predictions are plain probability vectors, as the gateway answers too.
 */

export interface TfRequest {
  rows: unknown[][];
  columnar: boolean;
}

/** Row format `{"instances": [...]}` or columnar `{"inputs": [...] | {"<input>": [...]}}`. */
export function parseTfPredict(body: unknown, inputName: string): TfRequest {
  if (!isRecord(body))
    throw invalidInput('the body must be a JSON object with "instances" or "inputs"');
  if (body.instances !== undefined && body.inputs !== undefined)
    throw invalidInput('send either "instances" or "inputs", not both');
  if (body.instances !== undefined) {
    const instances = body.instances;
    // Named row format: [{"input": [...]}, ...]
    if (Array.isArray(instances) && isRecord(instances[0])) {
      const rows = instances.map((inst, i) => {
        if (!isRecord(inst) || !Array.isArray(inst[inputName]))
          throw invalidInput(`instances[${i}] must be an object with "${inputName}": [numbers]`);
        return inst[inputName] as unknown[];
      });
      return { rows, columnar: false };
    }
    return { rows: toRows(instances, 'instances'), columnar: false };
  }
  if (body.inputs !== undefined) {
    const inputs = isRecord(body.inputs) ? body.inputs[inputName] : body.inputs;
    if (inputs === undefined) throw invalidInput(`inputs has no "${inputName}" entry`);
    return { rows: toRows(inputs, 'inputs'), columnar: true };
  }
  throw invalidInput('the body needs "instances" (row format) or "inputs" (columnar format)');
}

export function formatTfPredict(request: TfRequest, result: { probabilities: number[][] }) {
  return request.columnar
    ? { outputs: result.probabilities }
    : { predictions: result.probabilities };
}

export function tfModelStatus(versions: string[]) {
  return {
    model_version_status: versions.map((version) => ({
      version,
      state: 'AVAILABLE',
      status: { error_code: 'OK', error_message: '' },
    })),
  };
}
