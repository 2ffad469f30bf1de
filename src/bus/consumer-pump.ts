import type { BusErrorListener, BusHandler } from './bus.js';
import { BusErrorCodes, wrapForeign } from './errors.js';

/** The part of a JetStream message the pump uses (structural, so no driver import here). */
export interface PumpMessage {
  readonly subject: string;
  readonly seq?: number;
  json<T>(): T;
  ack(): void;
  nak(): void;
  term(): void;
}

export interface PumpSource extends AsyncIterable<PumpMessage> {
  stop(): void;
}

/**
 * Feeds a consumer's messages to one handler, one at a time and in order. For a durable
 * consumer the message is acked once the handler returns; a throwing handler gets it
 * terminated (`term`), so a poison message is reported once instead of looping.
 * `stop` ends delivery at once; messages already buffered go back to the server (`nak`).
 */
export function pumpConsumer(
  source: PumpSource,
  handler: BusHandler,
  unprefix: (subject: string) => string,
  onError: BusErrorListener,
  durable: boolean,
): { stop(): void } {
  let stopped = false;
  void (async () => {
    try {
      for await (const m of source) {
        if (stopped) {
          if (durable) m.nak();
          continue;
        }
        await deliver(m, handler, unprefix(m.subject), onError, durable);
      }
    } catch (error) {
      if (!stopped)
        onError(wrapForeign(BusErrorCodes.BUS_SUBSCRIBE_FAILED, 'consumer failed', error), '');
    }
  })();
  return {
    stop() {
      stopped = true;
      source.stop();
    },
  };
}

async function deliver(
  m: PumpMessage,
  handler: BusHandler,
  subject: string,
  onError: BusErrorListener,
  durable: boolean,
): Promise<void> {
  let ok = true;
  try {
    await handler(
      m.seq === undefined ? { subject, data: m.json() } : { subject, data: m.json(), seq: m.seq },
    );
  } catch (error) {
    ok = false;
    onError(error, subject);
  }
  if (durable) {
    if (ok) m.ack();
    else m.term();
  }
}
