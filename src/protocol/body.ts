import type { IncomingMessage } from 'node:http';
import { protocolError } from './errors.js';

/**
 * The one content-type rule: `application/json` or a `+json` type (RFC 6839), parameters
 * allowed. A body without a Content-Type is refused too: a form post (`curl -d`) is not JSON.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = header.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** Refuses a request whose Content-Type is not JSON (PROTOCOL_CONTENT_TYPE_UNSUPPORTED). */
export function checkJsonContentType(header: string | undefined): void {
  if (isJsonContentType(header)) return;
  const got = header === undefined ? 'none' : JSON.stringify(header.slice(0, 100));
  throw protocolError(
    'PROTOCOL_CONTENT_TYPE_UNSUPPORTED',
    `content-type must be application/json, got ${got}`,
  );
}

/**
 * Reads a request body into one Buffer, refusing more than `limit` bytes (by Content-Length up
 * front, and by counting while streaming) and bodies slower than `timeoutMs` in total.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Stop reading; the answer (sent by the caller) closes the connection.
        req.pause();
        reject(error);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(null);
    const onError = () =>
      settle(protocolError('PROTOCOL_BODY_TIMEOUT', 'the request body was cut off before its end'));
    const timer = setTimeout(
      () =>
        settle(
          protocolError(
            'PROTOCOL_BODY_TIMEOUT',
            `the request body took longer than ${timeoutMs} ms to arrive`,
          ),
        ),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): Error {
  return protocolError(
    'PROTOCOL_BODY_TOO_LARGE',
    `the request body is larger than the ${limit}-byte limit`,
  );
}

/** Parses a JSON body; an empty or malformed one is PROTOCOL_JSON_INVALID. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0)
    throw protocolError('PROTOCOL_JSON_INVALID', 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw protocolError(
      'PROTOCOL_JSON_INVALID',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
