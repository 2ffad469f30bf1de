import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayStats } from '../gateway/index.js';

export interface MetricSources {
  gateway: () => GatewayStats;
  ledger: () => { queued: number; written: number; dropped: number; rejected?: number };
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
