import { registryError } from './errors.js';
import type { ModelVersion } from './types.js';

/** How the gateway serves a registry version: load its ONNX file, or forward to its upstream. */
export type ServingPlan =
  { kind: 'onnx'; file: string; digest: string } | { kind: 'upstream'; url: string };

const HTTP_URL = /^https?:\/\/[^/@]+(\/|$)/i;

/**
 * Picks how a version is served: its artifacts on this machine (`location`) win; they must hold
 * exactly one `.onnx` file, loaded with the digest the registry recorded for it. Otherwise its
 * `upstream`, an absolute http(s) URL. Anything else cannot be served, and says why.
 */
export function servingPlan(model: string, version: ModelVersion): ServingPlan {
  const label = `${model}@${version.version}`;
  if (version.location !== null) {
    const single = version.files.length === 1 && version.files[0]!.path === '.';
    const onnx = single ? version.files : version.files.filter((f) => f.path.endsWith('.onnx'));
    if (onnx.length !== 1)
      throw registryError(
        'REGISTRY_VERSION_UNSERVABLE',
        `${label}: its artifacts hold ${onnx.length} .onnx files; the built-in server loads exactly one`,
        { details: { files: onnx.map((f) => f.path) } },
      );
    const f = onnx[0]!;
    return {
      kind: 'onnx',
      file: f.path === '.' ? version.location : `${version.location}/${f.path}`,
      digest: f.digest,
    };
  }
  if (version.upstream !== null && HTTP_URL.test(version.upstream))
    return { kind: 'upstream', url: version.upstream };
  throw registryError(
    'REGISTRY_VERSION_UNSERVABLE',
    version.upstream === null
      ? `${label}: has neither artifacts on this machine (location) nor an upstream URL`
      : `${label}: its upstream "${version.upstream}" is not an http(s) URL`,
  );
}
