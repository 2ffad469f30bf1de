import type { IncomingMessage } from 'node:http';
import { GatewayError } from './errors.js';

/**
 * Reads a request body into one Buffer, refusing more than `limit` bytes (by Content-Length up
 * front, and by counting while streaming) and bodies slower than `timeoutMs` in total.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: GatewayError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Stop reading; the response (sent by the caller) closes the connection.
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
      settle(
        new GatewayError('GATEWAY_BODY_TIMEOUT', 'the request body was not received completely'),
      );
    const timer = setTimeout(
      () =>
        settle(
          new GatewayError(
            'GATEWAY_BODY_TIMEOUT',
            `the request body took longer than ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'GATEWAY_BODY_TOO_LARGE',
    `the request body is larger than ${limit} bytes`,
  );
}
