import type {
  Bus,
  BusErrorListener,
  BusHandler,
  BusMessage,
  DurableSubscribeOptions,
  Subscription,
} from './bus.js';
import { BusErrorCodes, busError } from './errors.js';
import { assertName, assertPattern, assertSubject, subjectMatches } from './subjects.js';

export interface MemoryBusOptions {
  /** Hears about handlers that throw; delivery to other handlers goes on. */
  readonly onError?: BusErrorListener;
  /** Messages a durable subscription keeps while nobody listens (oldest dropped first). */
  readonly maxDurableBacklog?: number;
}

/** One delivery queue: messages wait here and are handed over one at a time. */
interface Queue {
  readonly pattern: string;
  readonly pending: BusMessage[];
  handler: BusHandler | null;
  draining: boolean;
}

/**
 * The embedded bus: delivery on a later microtask, in publish order, within one process.
 * Durable subscriptions keep a bounded backlog while unsubscribed and resume from it.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxBacklog = options.maxDurableBacklog ?? 100_000;
  const live = new Set<Queue>();
  const durables = new Map<string, Queue>();
  let closed = false;

  const report = (error: unknown, subject: string) => {
    try {
      options.onError?.(error, subject);
    } catch {
      // A failing error listener must not break delivery either.
    }
  };

  async function drain(queue: Queue): Promise<void> {
    queue.draining = true;
    await Promise.resolve(); // deliver on a later microtask, never inside publish()
    while (queue.handler !== null && queue.pending.length > 0 && !closed) {
      const message = queue.pending.shift() as BusMessage;
      try {
        await queue.handler(message);
      } catch (error) {
        report(error, message.subject);
      }
    }
    queue.draining = false;
  }

  function enqueue(queue: Queue, message: BusMessage): void {
    if (queue.pending.length >= maxBacklog) {
      const dropped = queue.pending.shift() as BusMessage;
      report(
        busError(BusErrorCodes.BUS_BACKLOG_OVERFLOW, `backlog over ${maxBacklog}; oldest dropped`),
        dropped.subject,
      );
    }
    queue.pending.push(message);
    if (queue.handler !== null && !queue.draining) void drain(queue);
  }

  function assertOpen(): void {
    if (closed) throw busError(BusErrorCodes.BUS_CLOSED, 'the bus is closed');
  }

  return {
    async publish<T>(subject: string, data: T): Promise<void> {
      assertOpen();
      assertSubject(subject);
      const message: BusMessage<T> = { subject, data };
      for (const queue of live) if (subjectMatches(queue.pattern, subject)) enqueue(queue, message);
      for (const queue of durables.values())
        if (subjectMatches(queue.pattern, subject)) enqueue(queue, message);
    },

    async subscribe<T>(pattern: string, handler: BusHandler<T>): Promise<Subscription> {
      assertOpen();
      assertPattern(pattern);
      const queue: Queue = {
        pattern,
        pending: [],
        handler: handler as BusHandler,
        draining: false,
      };
      live.add(queue);
      return {
        unsubscribe: async () => {
          queue.handler = null;
          queue.pending.length = 0;
          live.delete(queue);
        },
      };
    },

    async subscribeDurable<T>(
      pattern: string,
      durableName: string,
      handler: BusHandler<T>,
      _options?: DurableSubscribeOptions,
    ): Promise<Subscription> {
      assertOpen();
      assertPattern(pattern);
      assertName('durable name', durableName);
      const queue = durables.get(durableName) ?? {
        pattern,
        pending: [],
        handler: null,
        draining: false,
      };
      if (queue.pattern !== pattern || queue.handler !== null)
        throw busError(
          BusErrorCodes.BUS_SUBSCRIBE_FAILED,
          `durable ${durableName} is ${queue.handler ? 'already subscribed' : `bound to pattern ${queue.pattern}`}`,
        );
      durables.set(durableName, queue);
      queue.handler = handler as BusHandler;
      if (!queue.draining) void drain(queue);
      return {
        unsubscribe: async () => {
          queue.handler = null;
        },
      };
    },

    async close(): Promise<void> {
      closed = true;
      live.clear();
      durables.clear();
    },
  };
}
