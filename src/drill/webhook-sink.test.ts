import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from './webhook-sink.js';

describe('drill webhook sink', () => {
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await startWebhookSink();
  });
  afterAll(async () => sink.close());

  const post = (body: string, signature: string) =>
    fetch(sink.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-aisoc-timestamp': '1700000000',
        'x-aisoc-signature': signature,
      },
      body,
    });

  it('accepts a correctly signed notification and refuses a forged one', async () => {
    const body = JSON.stringify({ text: 'key throttled' });
    const good = `v1=${createHmac('sha256', sink.secret).update(`1700000000.${body}`).digest('hex')}`;
    expect((await post(body, good)).status).toBe(204);
    expect((await post(body.replace('throttled', 'lifted'), good)).status).toBe(401);
    expect((await post(body, 'v1=00')).status).toBe(401);
    expect(sink.received().map((r) => [r.text, r.verified])).toEqual([
      ['key throttled', true],
      ['key lifted', false],
      ['key throttled', false],
    ]);
  });
});
