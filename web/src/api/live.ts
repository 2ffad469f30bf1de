import { currentToken } from './client';

import { createSseParser, type LiveMessage } from './sse';

export type { LiveMessage };

/**
 * One server-sent event stream for the tab (`GET /api/v1/live`), read with fetch because
 * EventSource cannot send the bearer token. Reconnects with backoff; returns a stop function.
 */
export function connectLive(onMessage: (m: LiveMessage) => void, onState?: (up: boolean) => void) {
  let stopped = false;
  let controller: AbortController | undefined;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/v1/live', {
          headers: { authorization: `Bearer ${currentToken()}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`live stream: ${response.status}`);
        onState?.(true);
        delay = 1000;
        const parse = createSseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const m of parse(value)) onMessage(m);
        }
      } catch {
        // Reconnect below, unless stopped.
      }
      onState?.(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
