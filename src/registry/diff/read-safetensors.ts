import { u64le, type ByteSource } from '../../scan/index.js';
import { registryError } from '../errors.js';
import type { ModelStructure } from './read-onnx.js';
import type { TensorSource } from './tensor-source.js';

const MAX_HEADER = 100 * 1024 * 1024;

/** Reads a safetensors header; tensor payloads stay in the file. */
export function readSafetensorsStructure(src: ByteSource, file: string): ModelStructure {
  const n = src.size >= 8 ? u64le(src.read(0, 8)) : Number.POSITIVE_INFINITY;
  if (!(n + 8 <= src.size) || n > MAX_HEADER)
    throw registryError(
      'REGISTRY_INPUT_INVALID',
      `${file}: not a safetensors file (header length ${n})`,
    );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(src.read(8, n)).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw registryError('REGISTRY_INPUT_INVALID', `${file}: safetensors header is not JSON`);
  }
  const tensors: TensorSource[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const [begin, end] = Array.isArray(e.data_offsets) ? (e.data_offsets as number[]) : [];
    if (
      typeof e.dtype !== 'string' ||
      !Array.isArray(e.shape) ||
      typeof begin !== 'number' ||
      typeof end !== 'number' ||
      begin > end ||
      8 + n + end > src.size
    )
      throw registryError(
        'REGISTRY_INPUT_INVALID',
        `${file}: tensor "${name}" has a bad header entry`,
      );
    tensors.push({
      name,
      dtype: e.dtype,
      shape: e.shape as number[],
      bytes: { src, offset: 8 + n + begin, length: end - begin },
    });
  }
  return { format: 'safetensors', tensors, nodes: [] };
}
