import type { ModelConfig } from '../config/index.js';
import { kserveModelMetadata, tfModelStatus, type ModelRoute } from '../protocol/index.js';
import { GatewayError } from './errors.js';
import { checkProtocol } from './protocols.js';

/**
 * The answers of the non-inference routes, from the config alone (no upstream call): the
 * server metadata, and per model the KServe V2 model metadata and readiness or the TF Serving
 * model status. A version the model does not list is GATEWAY_MODEL_UNKNOWN.
 */
export function modelInfo(
  route: { kind: 'server-metadata' } | ModelRoute<'model-metadata' | 'model-ready'>,
  model: ModelConfig | undefined,
): unknown {
  if (route.kind === 'server-metadata' || model === undefined)
    return { name: 'aisoc-gateway', version: '1', extensions: [] };
  checkProtocol(route, model);
  const versions = model.versions.map((v) => v.version);
  if (route.version !== null && !versions.includes(route.version))
    throw new GatewayError(
      'GATEWAY_MODEL_UNKNOWN',
      `model "${model.id}" has no version "${route.version.slice(0, 64)}"`,
    );
  if (route.protocol === 'tf-serving')
    return tfModelStatus(route.version === null ? versions : [route.version]);
  if (route.kind === 'model-ready') return { name: model.id, ready: true };
  return kserveModelMetadata({
    id: model.id,
    versions,
    // In-process versions run on ONNX Runtime; an upstream's platform is the upstream's to say.
    platform: model.versions.every((v) => v.onnx !== undefined) ? 'onnxruntime_onnx' : '',
    featureCount: model.featureCount,
  });
}
