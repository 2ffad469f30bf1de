import { serveError } from './errors.js';
import { loadOnnxModel } from './onnx-model.js';
import type { ServedModel } from './served-model.js';

export interface ModelEntry {
  id: string;
  version: string;
  path: string;
  /** Expected SHA-256 of the file; the server refuses to start if it differs. */
  digest?: string;
}

/** Ids and versions appear in URL paths, so they stay within a safe alphabet. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface ModelRegistry {
  /** The named version, or the model's default (the last one listed) when `version` is absent. */
  find(id: string, version: string | undefined): ServedModel;
  versions(id: string): string[];
  close(): Promise<void>;
}

function checkEntries(entries: ModelEntry[]): void {
  if (entries.length === 0)
    throw serveError('SERVE_OPTIONS_INVALID', 'models: list at least one model');
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    for (const key of ['id', 'version'] as const) {
      if (typeof e[key] !== 'string' || !NAME_PATTERN.test(e[key])) {
        throw serveError(
          'SERVE_OPTIONS_INVALID',
          `models[${i}].${key} ${JSON.stringify(e[key])} must match ${NAME_PATTERN}`,
        );
      }
    }
    const key = `${e.id}@${e.version}`;
    if (seen.has(key))
      throw serveError('SERVE_OPTIONS_INVALID', `models[${i}]: ${key} is listed twice`);
    seen.add(key);
  });
}

/** Loads every listed model; on any failure closes those already loaded and rethrows. */
export async function loadModelRegistry(entries: ModelEntry[]): Promise<ModelRegistry> {
  checkEntries(entries);
  const byId = new Map<string, ServedModel[]>();
  const loaded: ServedModel[] = [];
  try {
    for (const e of entries) {
      const model = await loadOnnxModel(
        e.path,
        e.digest === undefined ? {} : { expectedDigest: e.digest },
      );
      const served: ServedModel = {
        id: e.id,
        version: e.version,
        inputName: model.inputName,
        featureCount: model.featureCount,
        classCount: model.classCount,
        model,
      };
      loaded.push(served);
      byId.set(e.id, [...(byId.get(e.id) ?? []), served]);
    }
  } catch (error) {
    await Promise.all(loaded.map((s) => s.model.close()));
    throw error;
  }
  return {
    find(id, version) {
      const list = byId.get(id);
      if (!list) throw serveError('SERVE_MODEL_NOT_FOUND', `no model named ${JSON.stringify(id)}`);
      const found =
        version === undefined ? list[list.length - 1] : list.find((s) => s.version === version);
      if (!found)
        throw serveError(
          'SERVE_MODEL_NOT_FOUND',
          `model ${JSON.stringify(id)} has no version ${JSON.stringify(version)}`,
        );
      return found;
    },
    versions: (id) => (byId.get(id) ?? []).map((s) => s.version),
    close: async () => {
      await Promise.all(loaded.map((s) => s.model.close()));
    },
  };
}
