import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

const TOKEN_KEY = 'aisoc.token';

// The token lives for the tab only (sessionStorage): closing it signs out.
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';

export function setToken(value: string): void {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export const currentToken = (): string => token;

const auth: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/** The typed admin API client, generated from /api/v1/openapi.json (schema.d.ts). */
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

/** An error answer of the admin API: `{ code, message, statusCode }`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The answer's body, or an ApiError with the server's code and message. */
export async function unwrap<T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const e = (error ?? {}) as { code?: string; message?: string };
    throw new ApiError(e.code ?? 'HTTP', e.message ?? response.statusText, response.status);
  }
  return data as T;
}

/** A non-JSON answer's bytes (a report, an evidence item), fetched with the token. */
export async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const e = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(
      e.code ?? 'HTTP',
      e.message ?? `${response.status} ${response.statusText}`,
      response.status,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Hands bytes to the browser as a downloaded file. */
export function saveFile(bytes: Uint8Array | Blob, filename: string, type = ''): void {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Fetches a non-JSON answer (a report) with the token and saves it as a file. */
export async function download(path: string, filename: string): Promise<void> {
  saveFile(await fetchBytes(path), filename);
}
