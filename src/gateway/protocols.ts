import type { GatewayProtocol } from '../core/index.js';
import type { ModelConfig } from '../config/index.js';
import { isAppError } from '../core/index.js';
import { inferPath, type InferRoute, type ModelRoute } from '../protocol/index.js';
import { GatewayError, type GatewayErrorCode } from './errors.js';

// The gateway speaks through src/protocol (one route table, body reader and codec per protocol,
// shared with the model server); this file only adapts it to the gateway's codes and config.
export type { GenericPointers } from '../protocol/index.js';
export type InferenceRoute = InferRoute;

// The protocol module's refusals under the gateway's own codes (docs/errors.md).
const FROM_PROTOCOL: Record<string, GatewayErrorCode> = {
  PROTOCOL_INPUT_INVALID: 'GATEWAY_INPUT_INVALID',
  PROTOCOL_JSON_INVALID: 'GATEWAY_BODY_INVALID_JSON',
  PROTOCOL_CONTENT_TYPE_UNSUPPORTED: 'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
  PROTOCOL_BODY_TOO_LARGE: 'GATEWAY_BODY_TOO_LARGE',
  PROTOCOL_BODY_TIMEOUT: 'GATEWAY_BODY_TIMEOUT',
};

/** A protocol refusal as the gateway's error; anything else is an internal error. */
export function toGatewayError(error: unknown): GatewayError {
  const code = isAppError(error) ? FROM_PROTOCOL[error.code] : undefined;
  return code
    ? new GatewayError(code, (error as Error).message)
    : new GatewayError('GATEWAY_INTERNAL', 'internal error');
}

const NAMES: Record<GatewayProtocol, string> = {
  'kserve-v2': 'KServe V2',
  'tf-serving': 'TF Serving',
  'generic-json': 'generic JSON',
};

/**
 * Refuses a route of another protocol than the model's: a TF Serving or generic request to a
 * KServe V2 model would be forwarded to a path its server does not have, or decoded wrongly.
 */
export function checkProtocol(route: ModelRoute, model: ModelConfig): void {
  if (route.protocol === model.protocol) return;
  const right = `POST ${inferPath(model.protocol, route.model, route.version)}`;
  throw new GatewayError(
    'GATEWAY_PROTOCOL_MISMATCH',
    `model "${route.model}" speaks ${NAMES[model.protocol]} (${model.protocol}), not ${NAMES[route.protocol]}: use ${right}`,
    { protocol: model.protocol, route: right },
  );
}
