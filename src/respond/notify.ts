import { createHmac } from 'node:crypto';
import { respondError, RespondErrorCodes } from './errors.js';

export interface WebhookTarget {
  url: string;
  /** HMAC-SHA256 key (RFC 2104); the receiver recomputes the signature to trust the body. */
  secret: string;
}

/** The signature header value: `v1=` + hex HMAC-SHA256 over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Posts a Slack-compatible body (`text` plus `blocks`) with aisoc's own fields beside it,
 * signed with HMAC so a receiver can reject forgeries and (with the timestamp) replays.
 */
export async function sendWebhook(
  target: WebhookTarget,
  message: { text: string; fields: Record<string, string> },
  options: { timeoutMs?: number; now?: number } = {},
): Promise<{ status: number }> {
  const body = JSON.stringify({
    text: message.text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: message.text } },
      {
        type: 'context',
        elements: Object.entries(message.fields).map(([k, v]) => ({
          type: 'mrkdwn',
          text: `*${k}:* ${v}`,
        })),
      },
    ],
    aisoc: message.fields,
  });
  return postSigned(target, body, { what: 'webhook', ...options });
}

/**
 * POSTs a JSON body signed for `target` (timestamp and HMAC headers, plus any `headers`);
 * throws RESPOND_NOTIFY_FAILED naming `what` and the host when it is unreachable or not 2xx.
 */
export async function postSigned(
  target: WebhookTarget,
  body: string,
  options: { what: string; headers?: Record<string, string>; timeoutMs?: number; now?: number },
): Promise<{ status: number }> {
  const timestamp = String(Math.floor((options.now ?? Date.now()) / 1000));
  const host = new URL(target.url).host;
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...options.headers,
        'x-aisoc-timestamp': timestamp,
        'x-aisoc-signature': signWebhook(target.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    await res.arrayBuffer();
  } catch (cause) {
    throw respondError(
      RespondErrorCodes.RESPOND_NOTIFY_FAILED,
      `${options.what} ${host} unreachable: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (res.status < 200 || res.status >= 300)
    throw respondError(
      RespondErrorCodes.RESPOND_NOTIFY_FAILED,
      `${options.what} ${host} answered ${res.status}`,
    );
  return { status: res.status };
}
