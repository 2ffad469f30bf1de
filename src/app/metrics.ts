import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayStats } from '../gateway/index.js';

export interface MetricSources {
  gateway: () => GatewayStats;
  ledger: () => {
    queued: number;
    written: number;
    dropped: number;
    rejected?: number;
    failed?: number;
    retrying?: number;
  };
  keys: () => number;
  policyVersion: () => number;
}

/** Prometheus metrics read from the modules' own counters at scrape time (nothing on the hot path). */
export function createMetrics(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aisoc_process_' });
  new Gauge({
    name: 'aisoc_gateway_requests',
    help: 'Requests handled by the gateway, by outcome (counter semantics)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(sources.gateway().byOutcome))
        this.set({ outcome }, n);
    },
  });
  new Gauge({
    name: 'aisoc_gateway_responses',
    help: 'Responses by HTTP status (counter semantics)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      for (const [status, n] of Object.entries(sources.gateway().byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'aisoc_gateway_circuit_state',
    help: "A model's circuit breaker: 0 closed, 1 half-open, 2 open (answering from its fallback)",
    labelNames: ['model'],
    registers: [registry],
    collect() {
      const level = { closed: 0, half_open: 1, open: 2 } as const;
      for (const [model, state] of Object.entries(sources.gateway().circuits ?? {}))
        this.set({ model }, level[state]);
    },
  });
  new Gauge({
    name: 'aisoc_ledger_events',
    help: 'Inference and audit ledger entries by state: queued, written, dropped, rejected',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = sources.ledger();
      this.set({ state: 'queued' }, s.queued);
      this.set({ state: 'written' }, s.written);
      this.set({ state: 'dropped' }, s.dropped);
      this.set({ state: 'rejected' }, s.rejected ?? 0);
    },
  });
  // Loss is a counter an alert rule can `increase()` on (issue 14, findings 7 and 8).
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total(
    'aisoc_ledger_events_failed_total',
    'Ledger entries in commit attempts that failed (async ones are retried, durable ones refused)',
    () => sources.ledger().failed ?? 0,
  );
  total(
    'aisoc_ledger_events_dropped_total',
    'Ledger entries lost: refused by a full queue in drop mode, or held when the writer stopped',
    () => sources.ledger().dropped,
  );
  new Gauge({
    name: 'aisoc_ledger_events_retrying',
    help: 'Async ledger entries waiting for another write attempt after a failure',
    registers: [registry],
    collect() {
      this.set(sources.ledger().retrying ?? 0);
    },
  });
  new Gauge({
    name: 'aisoc_keys',
    help: 'API keys known to the gateway',
    registers: [registry],
    collect() {
      this.set(sources.keys());
    },
  });
  new Gauge({
    name: 'aisoc_policy_version',
    help: 'Version of the enforced containment policy',
    registers: [registry],
    collect() {
      this.set(sources.policyVersion());
    },
  });
  return registry;
}
