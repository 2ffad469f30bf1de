import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AlertSchema, type Alert } from '../core/index.js';
import { createLossReporter } from './ledger-loss.js';

describe('the ledger loss reporter', () => {
  it('reports the first loss at once, then at most one line and one alert per window', async () => {
    const lines: string[] = [];
    const alerts: Alert[] = [];
    const reporter = createLossReporter({
      log: (l) => lines.push(l),
      raise: (a) => alerts.push(a),
      windowMs: 100,
    });
    reporter.report({ kind: 'failed', stream: 'inference', count: 10, reason: 'SQLITE_BUSY' });
    expect(lines).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      detector: 'ledger.loss',
      severity: 'medium',
      evidence: { failed: 10, dropped: 0 },
    });
    for (let i = 0; i < 1000; i++)
      reporter.report({ kind: 'dropped', stream: 'inference', count: 1, reason: 'queue full' });
    expect(lines).toHaveLength(1);
    await sleep(150);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/1000 event\(s\) lost/);
    expect(alerts[1]).toMatchObject({ severity: 'high', evidence: { dropped: 1000, failed: 0 } });
    for (const a of alerts) expect(AlertSchema.safeParse(a).success).toBe(true);
    reporter.close();
    expect(lines).toHaveLength(2);
  });
});
