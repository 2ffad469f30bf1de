/**
 * Time to contain, embedded: alert on the bus → incident → shipped extraction playbook →
 * action service → policy channel → gateway snapshot → ack, through the composition root.
 * Reference measured in the same run: the action service alone (apply → every gateway acked).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoModels, startAisoc } from '../src/app/index.js';
import { Subjects } from '../src/bus/index.js';
import { parseConfig } from '../src/config/index.js';
import type { Alert } from '../src/core/index.js';

const ROUNDS = Number(process.env.AISOC_BENCH_RESPOND_ROUNDS ?? 20);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-bench-respond-'));
  const config = parseConfig(
    {
      dataDir: dir,
      admin: { port: 0 },
      gateway: { port: 0 },
      models: demoModels(),
      respond: { correlationWindowMs: 0, dedupWindowMs: 0 },
    },
    dir,
  );
  const aisoc = await startAisoc(config);
  const token = readFileSync(config.admin.tokenFile, 'utf8').trim();
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(aisoc.adminUrl + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    const keyId: string = (await admin('/api/v1/keys', { principal: 'bench' })).key.id;
    // One key per incident: a rate limit never loosens one already on its key, so a second
    // incident about the same key would find it contained already and measure nothing.
    const keys: string[] = [];
    for (let i = 0; i < ROUNDS; i++)
      keys.push((await admin('/api/v1/keys', { principal: `bench-${i}` })).key.id);
    const ttc: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const alert: Alert = {
        id: `alr_bench${i}`,
        time: new Date(Date.now() - (ROUNDS - i) * 1000).toISOString(),
        detector: 'bench',
        kind: 'extraction',
        model: 'breast-cancer',
        principal: `bench-${i}`,
        sourceAddress: null,
        severity: 'high',
        confidence: 0.9,
        title: 'bench',
        atlasTechniques: ['AML.T0024.002'],
        owasp: [],
        evidence: { keyId: keys[i] },
        eventIds: [],
      };
      await aisoc.bus.publish(Subjects.alertRaised, alert);
      for (;;) {
        const incident = (await admin('/api/v1/incidents?limit=1')).incidents[0];
        if (incident?.principals[0] === `bench-${i}` && incident.timeToContainMs != null) {
          ttc.push(incident.timeToContainMs);
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const reference: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const applied = await admin('/api/v1/actions', {
        action: { kind: 'rate_limit', keyId, ratePerSecond: 1, burst: 1 },
        reason: 'bench reference',
      });
      while (
        !aisoc.policy().rateLimits.has(keyId) ||
        aisoc.policy().rateLimits.get(keyId)!.actionId !== applied.id
      )
        await new Promise((r) => setImmediate(r));
      reference.push(performance.now() - t0);
    }
    const p50 = quantile(ttc, 0.5);
    const refP50 = quantile(reference, 0.5);
    console.log(
      `respond: time-to-contain over ${ROUNDS} incidents (alert → every gateway acked), embedded SQLite + memory bus`,
    );
    console.log(
      `  p50 ${p50.toFixed(1)} ms   p95 ${quantile(ttc, 0.95).toFixed(1)} ms   max ${Math.max(...ttc).toFixed(1)} ms   (target < 100 ms)`,
    );
    console.log(
      `  reference, admin API apply → gateway enforces: p50 ${refP50.toFixed(1)} ms; ratio ${(p50 / refP50).toFixed(2)}×`,
    );
  } finally {
    await aisoc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
