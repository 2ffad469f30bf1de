import type { IncomingMessage } from 'node:http';
import { serveError } from './errors.js';

export interface BodyLimits {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
}

/** `application/json`, any `+json` type, or no Content-Type at all. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function readRaw(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) return Promise.reject(tooLarge(limits.maxBodyBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) done(tooLarge(limits.maxBodyBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () =>
      done(serveError('SERVE_BODY_TIMEOUT', 'the request body was cut off before its end'));
    const timer = setTimeout(
      () =>
        done(
          serveError(
            'SERVE_BODY_TIMEOUT',
            `the request body took longer than ${limits.bodyTimeoutMs} ms to arrive`,
          ),
        ),
      limits.bodyTimeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

function tooLarge(limit: number) {
  return serveError(
    'SERVE_BODY_TOO_LARGE',
    `the request body is larger than the ${limit}-byte limit`,
  );
}

/** Reads and parses a JSON request body within the size and time limits. */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    throw serveError(
      'SERVE_CONTENT_TYPE_UNSUPPORTED',
      `Content-Type ${JSON.stringify(contentType)} is not JSON; send application/json`,
    );
  }
  const raw = await readRaw(req, limits);
  if (raw.length === 0)
    throw serveError('SERVE_JSON_INVALID', 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw serveError(
      'SERVE_JSON_INVALID',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
