/**
 * Inference protocols (KServe V2, TF Serving REST, generic JSON): one route table, one body
 * reader with one content-type rule, and one codec per protocol, shared by the gateway and the
 * in-process model server.
 */
export { ProtocolErrors, type ProtocolErrorCode, protocolError } from './errors.js';
export {
  matchRoute,
  inferPath,
  type ProtocolRoute,
  type ModelRoute,
  type ModelRouteKind,
  type InferRoute,
} from './routes.js';
export { isJsonContentType, checkJsonContentType, readBody, parseJsonBody } from './body.js';
export {
  decodeRequest,
  encodeAnswer,
  extractOutputs,
  requestedKserveOutputs,
  type InferRequest,
  type DecodeOptions,
} from './codec.js';
export {
  KSERVE_OUTPUTS,
  kserveModelMetadata,
  type KserveOutputName,
  type KserveModelInfo,
  type ModelShape,
} from './kserve-v2.js';
export { tfModelStatus } from './tf-serving.js';
export { safePointer, type GenericPointers } from './generic-json.js';
export { featureRows } from './rows.js';
