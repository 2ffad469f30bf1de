import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';

const LOCK_MS = 6_000;

/** Another process (the sqlite3 CLI) takes SQLite's exclusive lock and holds it. */
async function holdExclusiveLock(
  path: string,
): Promise<{ child: ChildProcess; released: Promise<void> }> {
  const child = spawn('sqlite3', [path], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin!.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  const end = Date.now() + 10_000;
  while (!out.includes('locked')) {
    if (Date.now() > end) throw new Error('sqlite3 did not take the lock');
    await sleep(10);
  }
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  setTimeout(() => child.stdin!.end('COMMIT;\n.quit\n'), LOCK_MS);
  return { child, released };
}

async function rig(durability: 'async' | 'durable') {
  // No rate limit in the way: on an idle machine four clients exceed the default 100/s, and a
  // 429 would hide whether the gateway answered during the lock.
  const t = await startTestAisoc({
    gateway: { durability, defaultRateLimit: { ratePerSecond: 1e6, burst: 1e6 } },
  });
  const created = await t.admin('/api/v1/keys', { body: { principal: 'lock-holder-test' } });
  const body = kserveBody(await demoRows('digits', 'holdout', 1));
  const infer = async () => {
    const started = performance.now();
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${created.json.secret}`,
        'content-type': 'application/json',
      },
      body,
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };
  return { t, infer, path: t.config.store.driver === 'sqlite' ? t.config.store.path : '' };
}

/** Sends requests back to back until `until` resolves; returns each status and latency. */
async function drive(infer: () => Promise<{ status: number; ms: number }>, until: Promise<void>) {
  let done = false;
  void until.then(() => (done = true));
  const results: { status: number; ms: number }[] = [];
  const client = async () => {
    while (!done) results.push(await infer());
  };
  await Promise.all([client(), client(), client(), client()]);
  return results;
}

function latencies(results: { ms: number }[]): string {
  const sorted = results.map((x) => x.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, first ${results[0]?.ms.toFixed(0)} ms`;
}

function statusCounts(results: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('a SQLite lock held by another process (issue 14, finding 9)', () => {
  describe('async mode', () => {
    let r: Awaited<ReturnType<typeof rig>>;
    beforeAll(async () => {
      r = await rig('async');
    });
    afterAll(async () => r.t.aisoc.close());

    it('keeps answering while the lock is held and records every answered event after release', async () => {
      const before = r.t.aisoc.ledger.stats().written;
      const lock = await holdExclusiveLock(r.path);
      // An admin write during the lock: on the main thread it would freeze every request.
      const adminWrite = r.t.admin('/api/v1/keys', { body: { principal: 'during-the-lock' } });
      const results = await drive(r.infer, lock.released);
      const admin = await adminWrite;
      console.log(`admin write during the lock: ${admin.status} ${admin.json.code ?? ''}`);
      expect([201, 503]).toContain(admin.status);
      const ok = results.filter((x) => x.status === 200);
      const maxMs = Math.max(...results.map((x) => x.ms));
      console.log(JSON.stringify(statusCounts(results)), latencies(results));
      console.log(
        `async: ${results.length} requests in ${LOCK_MS} ms lock, ${ok.length} ok, max ${maxMs.toFixed(0)} ms`,
      );
      expect(ok.length).toBe(results.length);
      expect(ok.length).toBeGreaterThan(50);
      expect(maxMs).toBeLessThan(1_500);
      const end = Date.now() + 30_000;
      while (r.t.aisoc.ledger.stats().written < before + ok.length && Date.now() < end)
        await sleep(100);
      const stats = r.t.aisoc.ledger.stats();
      expect(stats.dropped).toBe(0);
      expect(stats.written - before).toBeGreaterThanOrEqual(ok.length);
    }, 60_000);
  });

  describe('durable mode', () => {
    let r: Awaited<ReturnType<typeof rig>>;
    beforeAll(async () => {
      r = await rig('durable');
    });
    afterAll(async () => r.t.aisoc.close());

    it('answers 503 promptly while the lock is held, never answers unrecorded, and recovers', async () => {
      const before = r.t.aisoc.ledger.stats().written;
      const lock = await holdExclusiveLock(r.path);
      const results = await drive(r.infer, lock.released);
      const maxMs = Math.max(...results.map((x) => x.ms));
      console.log(JSON.stringify(statusCounts(results)), latencies(results));
      const ok = results.filter((x) => x.status === 200).length;
      console.log(`durable: ${results.length} requests, ${ok} ok, max ${maxMs.toFixed(0)} ms`);
      expect(results.every((x) => x.status === 200 || x.status === 503)).toBe(true);
      expect(results.length).toBeGreaterThan(20);
      expect(maxMs).toBeLessThan(1_500);
      await sleep(500);
      expect(r.t.aisoc.ledger.stats().written - before).toBeGreaterThanOrEqual(ok);
      const end = Date.now() + 15_000;
      let after = await r.infer();
      while (after.status !== 200 && Date.now() < end) {
        await sleep(100);
        after = await r.infer();
      }
      expect(after.status).toBe(200);
    }, 60_000);
  });
});
