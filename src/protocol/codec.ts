import type { GatewayProtocol } from '../core/index.js';
import { isRecord } from './errors.js';
import {
  decodeGeneric,
  encodeGeneric,
  genericOutputs,
  type GenericPointers,
} from './generic-json.js';
import {
  decodeKserve,
  encodeKserve,
  kserveOutputs,
  requestedKserveOutputs,
  type KserveOutputName,
  type ModelShape,
} from './kserve-v2.js';
import { decodeTf, encodeTf, tfOutputs } from './tf-serving.js';

/** A decoded inference request: its feature rows and what its answer must echo. */
export interface InferRequest {
  protocol: GatewayProtocol;
  rows: number[][];
  /** KServe V2: the request id to echo. */
  id?: string | undefined;
  /** TF Serving: columnar request, answered with `outputs`. */
  columnar?: boolean;
}

export interface DecodeOptions extends ModelShape {
  generic?: GenericPointers | undefined;
}

/** Reads the feature rows of a request body in a protocol, or throws PROTOCOL_INPUT_INVALID. */
export function decodeRequest(
  protocol: GatewayProtocol,
  body: unknown,
  options: DecodeOptions = {},
): InferRequest {
  switch (protocol) {
    case 'kserve-v2': {
      const { id, rows } = decodeKserve(body, options);
      return { protocol, rows, id };
    }
    case 'tf-serving':
      return { protocol, ...decodeTf(body, options) };
    case 'generic-json':
      return { protocol, rows: decodeGeneric(body, options.generic, options.featureCount) };
  }
}

/**
 * The answer of an in-process classifier in the protocol the client spoke. `outputs` (KServe
 * V2) are the tensors the request asked for; all of them when it named none.
 */
export function encodeAnswer(
  request: InferRequest,
  model: { id: string; version: string },
  result: { probabilities: number[][]; labels: number[] },
  outputs?: readonly KserveOutputName[],
): unknown {
  switch (request.protocol) {
    case 'kserve-v2':
      return encodeKserve(model, { id: request.id, ...(outputs ? { outputs } : {}) }, result);
    case 'tf-serving':
      return encodeTf(request, result);
    case 'generic-json':
      return encodeGeneric(result);
  }
}

export { requestedKserveOutputs };

/** One output per row from an upstream answer in a protocol; null when the shape is unknown. */
export function extractOutputs(
  protocol: GatewayProtocol,
  body: unknown,
  pointers?: GenericPointers,
): unknown[] | null {
  if (!isRecord(body)) return protocol === 'generic-json' ? genericOutputs(body, pointers) : null;
  switch (protocol) {
    case 'kserve-v2':
      return kserveOutputs(body);
    case 'tf-serving':
      return tfOutputs(body);
    case 'generic-json':
      return genericOutputs(body, pointers);
  }
}
