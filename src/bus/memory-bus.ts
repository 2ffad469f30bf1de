import type { Bus, BusHandler, BusMessage, Subscription } from './bus.js';
import { subjectMatches } from './bus.js';

/**
 * The embedded bus: delivery on a later microtask, in publish order, within one process.
 * `onError` hears about handlers that throw; delivery to other handlers goes on.
 */
export function createMemoryBus(
  options: { onError?: (error: unknown, subject: string) => void } = {},
): Bus {
  const subscriptions = new Set<{ pattern: string; handler: BusHandler }>();
  let closed = false;

  return {
    async publish<T>(subject: string, data: T): Promise<void> {
      if (closed) throw new Error('bus is closed');
      const message: BusMessage<T> = { subject, data };
      for (const sub of subscriptions) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        queueMicrotask(() => {
          try {
            const result = sub.handler(message);
            if (result instanceof Promise)
              result.catch((error) => options.onError?.(error, subject));
          } catch (error) {
            options.onError?.(error, subject);
          }
        });
      }
    },
    async subscribe<T>(pattern: string, handler: BusHandler<T>): Promise<Subscription> {
      const sub = { pattern, handler: handler as BusHandler };
      subscriptions.add(sub);
      return {
        unsubscribe: async () => {
          subscriptions.delete(sub);
        },
      };
    },
    async close(): Promise<void> {
      closed = true;
      subscriptions.clear();
    },
  };
}
