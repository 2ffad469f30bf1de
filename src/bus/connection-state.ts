/** The part of a NATS connection the tracker reads (structural, so no driver import here). */
interface StatusSource {
  status(): AsyncIterable<{ type: string }>;
  isClosed(): boolean;
}

/** Whether a NATS connection is up now, and who to tell when it comes back. */
export interface ConnectionState {
  connected(): boolean;
  /** Calls `listener` after every reconnect; returns a function that removes it. */
  onReconnect(listener: () => void): () => void;
}

/**
 * Follows a connection's status events. The client reconnects by itself (forever, see
 * connectNats); this only makes the state visible to health checks and lets callers re-send
 * what the outage held back.
 */
export function trackConnection(nc: StatusSource): ConnectionState {
  let up = true;
  const listeners = new Set<() => void>();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection') up = false;
      else if (s.type === 'reconnect') {
        up = true;
        for (const listener of listeners) {
          try {
            listener();
          } catch {
            // a listener's failure is its own business
          }
        }
      }
    }
  })().catch(() => undefined);
  return {
    connected: () => up && !nc.isClosed(),
    onReconnect(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
