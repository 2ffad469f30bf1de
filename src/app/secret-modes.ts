import { stat } from 'node:fs/promises';
import { AppError } from '../core/index.js';
import { AppErrorCodes } from './errors.js';

/**
 * Refuses a secret file or folder that group or others may read, write or enter, naming
 * the path and the chmod that fixes it (as ssh does for its keys). Missing paths pass.
 */
export async function assertPrivate(path: string, kind: 'file' | 'folder'): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  const tight = kind === 'file' ? '600' : '700';
  throw new AppError(
    AppErrorCodes.APP_SECRET_MODE_LOOSE,
    `${path} has mode ${mode.toString(8).padStart(4, '0')}: group or others can reach it; run \`chmod ${tight} ${path}\``,
    { details: { path, mode: mode.toString(8), fix: `chmod ${tight} ${path}` } },
  );
}
