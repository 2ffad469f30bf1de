import { accessSync, constants, statSync } from 'node:fs';
import { AppError } from '../core/index.js';

/**
 * A file argument checked before use: it exists, is a file, and can be read. The error names
 * the option (`--private-key: missing.pem does not exist`) and exits 2.
 */
export function readableFile(path: string, what: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
    accessSync(path, constants.R_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
    throw new AppError('CLI_FILE_UNREADABLE', `${what}: ${path} ${why}`, { cause });
  }
  if (!isFile) throw new AppError('CLI_FILE_UNREADABLE', `${what}: ${path} is not a file`);
  return path;
}

/**
 * The admin API base URL, checked: `localhost:17081` is refused (exit 2) rather than tried and
 * reported as unreachable, since without `http://` it is no URL at all.
 */
export function adminUrl(value: string, what = '--url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidUrl(value, what, 'it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidUrl(value, what, `the scheme must be http or https, not ${url.protocol}`);
  if (url.search || url.hash)
    throw invalidUrl(value, what, 'give the base URL, without a query or fragment');
  return url.toString().replace(/\/$/, '');
}

function invalidUrl(value: string, what: string, why: string): AppError {
  return new AppError(
    'CLI_URL_INVALID',
    `${what}: "${value}" is not a valid URL (${why}); e.g. http://127.0.0.1:8081`,
  );
}
