import { describe, expect, it } from 'vitest';
import { isAppError, type InferenceEvent } from '../../core/index.js';
import type { Finding } from '../detector.js';
import { buildModelBaseline, createExtractionDetector, type ExtractionOptions } from './index.js';

// Per-key behaviour profiles (issue 21) on a toy three-class model over five features.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
const rand = lcg(11);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const natural = () => Array.from({ length: 5 }, () => 10 + 2 * gauss());
const baseline = buildModelBaseline(Array.from({ length: 300 }, natural), {
  model: 'toy',
  classCount: 3,
});
const answer = (row: number[]) => {
  const e = [row[0]! - row[1]!, row[1]! - row[2]!, row[2]! - row[0]!].map(Math.exp);
  const t = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / t);
};

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);
let seq = 0;
/** One request of `n` fresh natural rows from `key` at `t`. */
function request(key: string, t: number, n = 1, address = '192.0.2.10'): InferenceEvent {
  seq += 1;
  const rows = Array.from({ length: n }, natural);
  return {
    id: `ev-${seq}`,
    time: new Date(t).toISOString(),
    requestId: `r-${seq}`,
    model: 'toy',
    modelVersion: '1',
    artifactDigest: null,
    protocol: 'generic-json',
    principal: key,
    keyId: key,
    sourceAddress: address,
    features: rows,
    outputs: rows.map(answer),
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1,
  };
}

/** `perDay` single-row requests a day for `days` days, spread over working hours. */
function daily(key: string, perDay: number, days: number, fromDay = 0): InferenceEvent[] {
  const out: InferenceEvent[] = [];
  for (let d = fromDay; d < fromDay + days; d += 1)
    for (let i = 0; i < perDay; i += 1)
      out.push(
        request(key, T0 + d * DAY + 8 * 3_600_000 + Math.floor((i * 8 * 3_600_000) / perDay)),
      );
  return out;
}

const byTime = (events: InferenceEvent[]) =>
  [...events].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

function run(options: ExtractionOptions, events: InferenceEvent[]): Finding[] {
  const detector = createExtractionDetector(baseline, options);
  const state = detector.init();
  return events.flatMap((e) => detector.observe(state, e));
}

const profileOf = (fs: Finding[]) => fs.filter((f) => f.detector === 'extraction.profile');
const terms = (f: Finding) =>
  (f.evidence.contributions as { signal: string; value: number }[]).map((c) => c.signal);

describe('per-key behaviour profile', () => {
  it('raises nothing for a client that scores 1,000 distinct real rows (novelty alone never alerts)', () => {
    expect(run({}, daily('batch', 500, 2))).toEqual([]);
  });

  it('flags a key that sends four times its declared rows a day, naming the entitlement term', () => {
    const events = daily('trial', 450, 1);
    const fs = profileOf(
      run({ profile: { keys: { trial: { expectedRowsPerDay: 100 } } } }, events),
    );
    expect(fs.length).toBeGreaterThan(0);
    const f = fs[0]!;
    expect(f.kind).toBe('extraction');
    expect(f.evidence.keyId).toBe('trial');
    expect(terms(f)).toContain('entitlement');
    expect(f.evidence.score as number).toBeGreaterThanOrEqual(1);
    // It tripped when the 24 h count passed 4 × 100 less what the novelty term adds.
    expect(f.evidence.rows24h as number).toBeGreaterThan(250);
    expect(f.evidence.rows24h as number).toBeLessThanOrEqual(400);
  });

  it('leaves a key alone while it stays within its entitlement', () => {
    const fs = run(
      { profile: { keys: { steady: { expectedRowsPerDay: 300 } } } },
      daily('steady', 280, 3),
    );
    expect(profileOf(fs)).toEqual([]);
  });

  it("counts a sliding 24 hours exactly: last night's batch is not counted again tonight", () => {
    // 3,000 rows between 01:00 and 02:00 every night, declared at 1,400 a day: 2.1× (no alert);
    // counting last night's batch again would make it 4.2× (an alert).
    const nights = Array.from({ length: 4 }, (_, d) =>
      Array.from({ length: 30 }, (_, i) =>
        request('nightly', T0 + d * DAY + 3_600_000 + i * 100_000, 100),
      ),
    ).flat();
    const fs = run({ profile: { keys: { nightly: { expectedRowsPerDay: 3600 } } } }, nights);
    expect(profileOf(fs)).toEqual([]);
    const tight = run({ profile: { keys: { nightly: { expectedRowsPerDay: 700 } } } }, nights);
    expect(profileOf(tight).length).toBeGreaterThan(0);
  });

  it('flags a key whose day is ten times its own usual active day', () => {
    const events = [...daily('own', 100, 3), ...daily('own', 1200, 1, 3)];
    const fs = profileOf(run({}, events));
    expect(fs.length).toBeGreaterThan(0);
    expect(terms(fs[0]!)).toContain('own-history');
    expect(fs[0]!.evidence.activeDays).toBe(3);
    expect(new Date(fs[0]!.time).getTime()).toBeGreaterThanOrEqual(T0 + 3 * DAY);
  });

  it('flags a key far above the busiest of its peers, but not one in their range', () => {
    const peers = Array.from({ length: 60 }, (_, k) =>
      daily(`peer-${k}`, 20 + (k % 5) * 10, 2),
    ).flat();
    const big = Array.from({ length: 15 }, (_, i) =>
      request('bulk', T0 + 2 * DAY + 3_600_000 + i * 60_000, 50),
    );
    const normal = daily('newcomer', 60, 1, 2);
    const fs = profileOf(run({}, byTime([...peers, ...big, ...normal])));
    expect(fs.map((f) => f.principal)).toEqual(['bulk']);
    expect(terms(fs[0]!)).toContain('peers');
  });

  it('compares a key only with peers of the same declared purpose', () => {
    const peers = Array.from({ length: 60 }, (_, k) => daily(`peer-${k}`, 40, 2)).flat();
    const big = Array.from({ length: 15 }, (_, i) =>
      request('etl', T0 + 2 * DAY + 3_600_000 + i * 60_000, 50),
    );
    const options = { profile: { keys: { etl: { purpose: 'nightly-etl' } } } };
    expect(profileOf(run(options, byTime([...peers, ...big])))).toEqual([]);
  });

  it('counts rows, not requests: many rows per request add up like many requests', () => {
    const events = Array.from({ length: 5 }, (_, i) => request('batchy', T0 + i * 60_000, 100));
    const fs = profileOf(
      run({ profile: { keys: { batchy: { expectedRowsPerDay: 100 } } } }, events),
    );
    expect(fs.length).toBeGreaterThan(0);
  });

  it('restores the profile from a checkpoint and then raises exactly the same findings', () => {
    const events = [...daily('own', 100, 3), ...daily('own', 1200, 1, 3)];
    const detector = createExtractionDetector(baseline);
    const straight = detector.init();
    const expected = events.flatMap((e) => detector.observe(straight, e));
    const half = detector.init();
    const first = events.slice(0, 350).flatMap((e) => detector.observe(half, e));
    const restored = detector.deserialize(JSON.parse(JSON.stringify(detector.serialize(half))));
    const rest = events.slice(350).flatMap((e) => detector.observe(restored, e));
    expect([...first, ...rest]).toEqual(expected);
    expect(profileOf(expected).length).toBeGreaterThan(0);
  });

  it('rejects invalid profile options with EXTRACTION_OPTIONS_INVALID and the path', () => {
    try {
      createExtractionDetector(baseline, {
        profile: { alertScore: -1, keys: { k: { expectedRowsPerDay: 0 } } },
      });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('EXTRACTION_OPTIONS_INVALID');
      expect(String((e as Error).message)).toMatch(/profile\.alertScore/);
      expect(String((e as Error).message)).toMatch(/profile\.keys\.k\.expectedRowsPerDay/);
    }
  });
});
