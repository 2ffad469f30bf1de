import { readFile, rename, writeFile } from 'node:fs/promises';
import type { CheckpointStore, RunnerCheckpoint } from '../detect/index.js';

/**
 * Detector state checkpoints in one JSON file, replaced atomically (write, then rename), so a
 * crash leaves either the old checkpoint or the new one. A missing or unreadable file means
 * "start fresh"; an unreadable one is reported, not fatal.
 */
export function createFileCheckpointStore(
  path: string,
  onError: (message: string) => void,
): CheckpointStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return null;
      }
      try {
        const value = JSON.parse(text) as RunnerCheckpoint;
        if (value?.version !== 1 || !Array.isArray(value.states))
          throw new Error('not a version 1 checkpoint');
        return value;
      } catch (error) {
        onError(`ignoring the detector checkpoint ${path}: ${(error as Error).message}`);
        return null;
      }
    },
    async save(checkpoint) {
      const tmp = `${path}.tmp`;
      await writeFile(tmp, JSON.stringify(checkpoint), { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}
