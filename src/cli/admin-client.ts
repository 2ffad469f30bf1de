import { AppError } from '../core/index.js';

/** A thin client of the admin API for the CLI; errors keep the server's code and message. */
export interface AdminClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** A binary body (evidence downloads); errors as for `get`. */
  getBytes(path: string): Promise<Buffer>;
  /** Sends raw bytes (`application/octet-stream`: artifact uploads); answer and errors as for `post`. */
  postBytes<T>(path: string, bytes: Uint8Array): Promise<T>;
  /** Writes a streamed body chunk by chunk to `sink` as it arrives (jsonl/csv exports). */
  getStream(path: string, sink: (chunk: Uint8Array) => void | Promise<void>): Promise<void>;
}

export function createAdminClient(
  baseUrl: string,
  token: string,
  options: { tokenFile?: string } = {},
): AdminClient {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    raw = false,
    sink?: (chunk: Uint8Array) => void | Promise<void>,
  ): Promise<T> => {
    const bytes = body instanceof Uint8Array;
    let res: Response;
    try {
      res = await fetch(baseUrl.replace(/\/$/, '') + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined
            ? {}
            : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }),
        },
        ...(body === undefined ? {} : { body: bytes ? body : JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new AppError(
        'CLI_SERVER_UNREACHABLE',
        `cannot reach the aisoc admin API at ${baseUrl}; is \`aisoc serve\` running?`,
        { cause },
      );
    }
    if (sink && res.ok && res.body) {
      for await (const chunk of res.body) await sink(chunk);
      return undefined as T;
    }
    const answer = Buffer.from(await res.arrayBuffer());
    if (raw && res.ok) return answer as T;
    const text = answer.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new AppError(
        'CLI_BAD_RESPONSE',
        `the admin API answered ${res.status} with a body that is not JSON`,
      );
    }
    if (res.status === 401)
      throw new AppError(
        'CLI_TOKEN_REJECTED',
        `token rejected: the admin API at ${baseUrl} did not accept the token${options.tokenFile ? ` in ${options.tokenFile}` : ''}; pass the server's admin token file with --token-file`,
        { status: 401 },
      );
    if (!res.ok) {
      const e = json as { code?: string; message?: string; details?: unknown };
      throw new AppError(e.code ?? 'CLI_REQUEST_FAILED', e.message ?? `HTTP ${res.status}`, {
        status: res.status,
        details: e.details,
      });
    }
    return json as T;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    getBytes: (path) => call<Buffer>('GET', path, undefined, true),
    postBytes: (path, bytes) => call('POST', path, bytes),
    getStream: (path, sink) => call<void>('GET', path, undefined, false, sink),
  };
}
