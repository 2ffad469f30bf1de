import { currentToken } from './client';

export interface LiveMessage {
  type: string;
  data: unknown;
}

/** Parses server-sent events from text chunks; returns the events complete so far. */
export function createSseParser(): (chunk: string) => LiveMessage[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n/g, '\n');
    const out: LiveMessage[] = [];
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      try {
        out.push({ type, data: JSON.parse(data.join('\n')) });
      } catch {
        out.push({ type, data: data.join('\n') });
      }
    }
    return out;
  };
}

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
