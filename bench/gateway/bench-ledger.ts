import type { AisocConfig } from '../../src/config/index.js';
import type { EventSink } from '../../src/gateway/index.js';

/** What the gateway bench needs from the ledger: a sink, its counters, a close and a check. */
export interface BenchLedger {
  readonly kind: string;
  readonly sink: EventSink;
  counters(): Record<string, number>;
  close(): Promise<void>;
  verify(): Promise<Record<string, unknown> | null>;
}

/**
 * Stand-in until the ledger writer is merged: counts events and keeps none. The bench labels
 * its figures "ledger: none" so nobody takes them for the audited gateway.
 */
export async function openBenchLedger(_config: Readonly<AisocConfig>): Promise<BenchLedger> {
  let queued = 0;
  const done = Promise.resolve();
  return {
    kind: 'none (counting sink; ledger writer not merged yet)',
    sink: {
      record(_event, durable) {
        queued++;
        return durable ? done : undefined;
      },
    },
    counters: () => ({ queued, written: 0, dropped: 0 }),
    close: async () => undefined,
    verify: async () => null,
  };
}
