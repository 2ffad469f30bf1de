import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/index.js';

const examples = join(import.meta.dirname, '..', '..', 'examples');

describe('examples/', () => {
  it('aisoc.yaml is a valid configuration with PostgreSQL, NATS and two upstream models', () => {
    const config = parseConfig(parse(readFileSync(join(examples, 'aisoc.yaml'), 'utf8')), examples);
    expect(config.store.driver).toBe('postgres');
    expect(config.bus.driver).toBe('nats');
    expect(config.models.map((m) => m.id)).toEqual(['fraud', 'churn']);
    expect(config.models.every((m) => m.versions.every((v) => 'upstream' in v))).toBe(true);
  });
});

describe('examples/ Prometheus rules and Grafana dashboard', () => {
  const rules = readFileSync(join(examples, 'prometheus', 'aisoc-alerts.yaml'), 'utf8');
  const dashboard = readFileSync(join(examples, 'grafana', 'aisoc-dashboard.json'), 'utf8');

  it('parse, and alert on ledger loss', () => {
    const groups = (parse(rules) as { groups: { rules: { alert: string; expr: string }[] }[] })
      .groups;
    const loss = groups[0]!.rules.find((r) => r.alert === 'AisocLedgerLoss');
    expect(loss?.expr).toContain('aisoc_ledger_events_dropped_total');
    expect(loss?.expr).toContain('aisoc_ledger_events_failed_total');
    expect(JSON.parse(dashboard).panels.length).toBeGreaterThan(5);
  });

  it('use only series that aisoc exports', async () => {
    const { Registry } = await import('prom-client');
    const { registerOperatorMetrics } = await import('../../src/app/operator-metrics.js');
    const registry = new Registry();
    registerOperatorMetrics(registry, {
      models: [],
      incidentsOpen: async () => 0,
      actionsActive: async () => [],
      detectorState: () => [],
    });
    const exported = new Set(
      (await registry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === 'histogram'
          ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]
          : [m.name],
      ),
    );
    // The ledger-loss counters come with the durable-ledger work (src/app/metrics.ts).
    for (const name of ['aisoc_ledger_events_dropped_total', 'aisoc_ledger_events_failed_total'])
      exported.add(name);
    const used = new Set([...`${rules}${dashboard}`.matchAll(/\baisoc_[a-z_]+/g)].map((m) => m[0]));
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });
});
