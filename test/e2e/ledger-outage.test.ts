import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../../src/bus/index.js';
import type { Alert } from '../../src/core/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';

/** Holds SQLite's write lock from another connection, as another process would. */
async function holdWriteLock(store: Store): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ledger_heads').where('stream', '=', '__none__').execute();
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await done;
  };
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > end) return value;
    await sleep(100);
  }
}

async function rig(durability: 'async' | 'durable') {
  const path = join(mkdtempSync(join(tmpdir(), 'aisoc-lock-')), 'aisoc.db');
  const t = await startTestAisoc({
    store: { driver: 'sqlite', path, busyTimeoutMs: 50 },
    gateway: { durability },
  });
  const other = await createStore({ driver: 'sqlite', path });
  const created = await t.admin('/api/v1/keys', { body: { principal: 'lock-test' } });
  const rows = await demoRows('digits', 'holdout', 1);
  const infer = () =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${created.json.secret}`,
        'content-type': 'application/json',
      },
      body: kserveBody(rows),
    });
  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, text: await res.text() };
  };
  return { t, other, infer, get };
}

describe('a database outage under the gateway (issue 14, findings 7, 8, 10)', () => {
  describe('async mode', () => {
    let r: Awaited<ReturnType<typeof rig>>;
    const alerts: Alert[] = [];
    beforeAll(async () => {
      r = await rig('async');
      await r.t.aisoc.bus.subscribe<Alert>(Subjects.alertRaised, (m) => void alerts.push(m.data));
    });
    afterAll(async () => {
      await r.t.aisoc.close();
      await r.other.close();
    });

    it('answers, reports the failures on /metrics, /healthz and a ledger.loss alert, and records every event once the lock is gone', async () => {
      const before = r.t.aisoc.ledger.stats().written;
      const release = await holdWriteLock(r.other);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await r.infer()).status);
      expect(statuses.every((s) => s === 200)).toBe(true);

      const metrics = await eventually(
        () => r.get(`${r.t.aisoc.adminUrl}/metrics`),
        (m) => /aisoc_ledger_events_failed_total [1-9]/.test(m.text),
      );
      expect(metrics.text).toMatch(/aisoc_ledger_events_failed_total [1-9]/);
      expect(metrics.text).toMatch(/aisoc_ledger_events_dropped_total 0/);
      const health = await r.get(`${r.t.aisoc.gatewayUrl}/healthz`);
      expect(health.status).toBe(200); // async still answers: degraded, not unavailable
      expect(JSON.parse(health.text)).toMatchObject({
        status: 'degraded',
        ready: true,
        checks: { ledger: { status: 'down' } },
      });
      expect(alerts.find((a) => a.detector === 'ledger.loss')).toMatchObject({
        severity: 'medium',
        evidence: { dropped: 0 },
      });

      await release();
      const stats = await eventually(
        async () => r.t.aisoc.ledger.stats(),
        (s) => s.queued === 0 && s.written >= before + 30,
      );
      expect(stats).toMatchObject({ queued: 0, retrying: 0, dropped: 0 });
      expect(stats.written - before).toBeGreaterThanOrEqual(30);
      const after = await r.get(`${r.t.aisoc.adminUrl}/readyz`);
      expect(after.status).toBe(200);
      expect(JSON.parse(after.text)).toMatchObject({ status: 'ok', ready: true });
    }, 60_000);
  });

  describe('durable mode', () => {
    let r: Awaited<ReturnType<typeof rig>>;
    beforeAll(async () => {
      r = await rig('durable');
    });
    afterAll(async () => {
      await r.t.aisoc.close();
      await r.other.close();
    });

    it('is not ready while it cannot record, and ready again once it can', async () => {
      expect((await r.get(`${r.t.aisoc.gatewayUrl}/readyz`)).status).toBe(200);
      const release = await holdWriteLock(r.other);
      const refused = await r.infer();
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'GATEWAY_LEDGER_UNAVAILABLE' });
      for (const url of [
        `${r.t.aisoc.gatewayUrl}/healthz`,
        `${r.t.aisoc.gatewayUrl}/readyz`,
        `${r.t.aisoc.adminUrl}/healthz`,
      ]) {
        const res = await r.get(url);
        expect(res.status, url).toBe(503);
        expect(JSON.parse(res.text)).toMatchObject({
          status: 'unavailable',
          ready: false,
          checks: { ledger: { status: 'down' } },
        });
      }
      expect((await r.get(`${r.t.aisoc.gatewayUrl}/v2/health/live`)).status).toBe(200);
      await release();
      const ready = await eventually(
        () => r.get(`${r.t.aisoc.gatewayUrl}/readyz`),
        (res) => res.status === 200,
      );
      expect(ready.status).toBe(200);
      expect((await r.infer()).status).toBe(200);
    }, 60_000);
  });
});
