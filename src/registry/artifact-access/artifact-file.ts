import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { registryError } from '../errors.js';
import { safeParts } from '../oms/model-manifest.js';
import type { ArtifactFile, ModelVersion } from '../types.js';

/** One manifest file of a version and where it lies on this server's disk. */
export interface ResolvedArtifact {
  file: ArtifactFile;
  absolutePath: string;
}

/**
 * Finds `path` among the version's registered files. Only manifest paths are served, so a
 * path that escapes the root could never match; it is still refused by name (400) so that a
 * probing client is told why. A symbolic link put in place after registration is refused.
 */
export async function resolveArtifact(
  version: Pick<ModelVersion, 'files' | 'location'> & { model: string; version: string },
  path: string,
): Promise<ResolvedArtifact> {
  const where = { model: version.model, version: version.version, path };
  if (path.length > 4096 || safeParts(path) === null)
    throw registryError(
      'REGISTRY_ARTIFACT_PATH_INVALID',
      `path "${path.slice(0, 200)}": must be a relative POSIX path inside the version (no "..", ".", empty parts, leading "/", "\\" or NUL)`,
      { details: where },
    );
  const file = version.files.find((f) => f.path === path);
  if (!file)
    throw registryError(
      'REGISTRY_NOT_FOUND',
      `${version.model}@${version.version} has no file "${path}" in its manifest (${version.files.length} file(s): ${version.files
        .slice(0, 5)
        .map((f) => f.path)
        .join(', ')}${version.files.length > 5 ? ', …' : ''})`,
      { details: where },
    );
  if (!version.location)
    throw registryError(
      'REGISTRY_ARTIFACT_UNAVAILABLE',
      `${version.model}@${version.version} has no artifact location on this server (it is served from an upstream); fetch its files from where they were registered`,
      { details: where },
    );
  const absolutePath = path === '.' ? version.location : join(version.location, path);
  let stats;
  try {
    stats = await lstat(absolutePath);
  } catch {
    throw registryError(
      'REGISTRY_ARTIFACT_UNAVAILABLE',
      `${version.model}@${version.version}: file "${path}" is gone from ${version.location}`,
      { details: where },
    );
  }
  if (!stats.isFile())
    throw registryError(
      'REGISTRY_PATH_REFUSED',
      `${version.model}@${version.version}: "${path}" is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'} on disk (refused)`,
      { details: where },
    );
  return { file, absolutePath };
}
