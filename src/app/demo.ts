import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'model.json')))
    .map((d) => {
      const card = JSON.parse(readFileSync(join(dir, d.name, 'model.json'), 'utf8')) as ModelCard;
      const digest = card.onnxSha256 ?? card.onnx?.sha256;
      return {
        id: card.id,
        protocol: 'kserve-v2',
        featureCount: card.features.length,
        criticality: 'high',
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
