import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/index.js';

/** The folder holding package.json, models/ and data/ (works from src/ and from dist/src/). */
export function packageRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
    dir = join(dir, '..');
  }
  throw new Error('cannot find the aisoc package root (package.json beside models/)');
}

interface ModelCard {
  id: string;
  version: string;
  features: string[];
  onnxSha256?: string;
  onnx?: { sha256?: string };
}

/**
 * The bundled demo models (models/<id>/model.json + model.onnx) as config entries, served
 * in-process from ONNX and checked against their recorded digests when loaded.
 */
export function demoModels(root: string = packageRoot()): Record<string, unknown>[] {
  const dir = join(root, 'models');
  const folders = new Map<string, string>();
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'model.json')))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => {
      const card = JSON.parse(readFileSync(join(dir, d.name, 'model.json'), 'utf8')) as ModelCard;
      // A copied folder keeps the original's id; name both folders so the fix is obvious.
      const first = folders.get(card.id);
      if (first !== undefined)
        throw new AppError(
          'CONFIG_INVALID',
          `duplicate model id "${card.id}": ${join(dir, d.name, 'model.json')} and ${join(dir, first, 'model.json')} both use it; give the copy its own "id"`,
        );
      folders.set(card.id, d.name);
      const digest = card.onnxSha256 ?? card.onnx?.sha256;
      return {
        id: card.id,
        protocol: 'kserve-v2',
        featureCount: card.features.length,
        criticality: 'high',
        ...(existsSync(join(root, 'data', card.id, 'reference.csv'))
          ? { baseline: join(root, 'data', card.id, 'reference.csv') }
          : {}),
        versions: [
          {
            version: card.version,
            onnx: join(dir, d.name, 'model.onnx'),
            ...(digest ? { digest } : {}),
          },
        ],
      };
    });
}
