import { describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../core/index.js';
import { ATLAS, buildModelBaseline, createExtractionDetector } from './index.js';

// Eight features in [0, 10]; a two-class linear "model". Deterministic throughout.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
const rand = lcg(11);
const D = 8;
const reference = Array.from({ length: 400 }, () => Array.from({ length: D }, () => 10 * rand()));
const baseline = buildModelBaseline(reference, { model: 'toy', classCount: 2 });
const range = Array.from({ length: D }, (_, j) => baseline.max[j]! - baseline.min[j]!);
const weights = Array.from({ length: D }, (_, j) => (j % 3 === 0 ? -1 : 1) * (1 + j / 4));

function answer(row: readonly number[]): number[] {
  const z = row.reduce((s, v, j) => s + weights[j]! * (v - 5), 0) / 10;
  const p = 1 / (1 + Math.exp(-z));
  return [1 - p, p];
}

let seq = 0;
function event(row: number[], keyId: string): InferenceEvent {
  seq += 1;
  return {
    id: `st-${seq}`,
    time: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    requestId: `r-${seq}`,
    model: 'toy',
    modelVersion: '1',
    artifactDigest: null,
    protocol: 'generic-json',
    principal: keyId,
    keyId,
    sourceAddress: '192.0.2.10',
    features: [row],
    outputs: [answer(row)],
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1,
  };
}

/** Papernot-style augmentation: every round adds x + λ·range·sign(∂F_y/∂x) for each row so far. */
function jacobianRows(seeds: number, total: number): number[][] {
  const rows = Array.from({ length: seeds }, () => reference[Math.floor(rand() * 400)]!.slice());
  while (rows.length < total) {
    const fresh = rows.slice(0, total - rows.length).map((x) => {
      const y = answer(x)[1]! > 0.5 ? 1 : -1;
      return x.map((v, j) =>
        Math.min(
          baseline.max[j]!,
          Math.max(baseline.min[j]!, v + 0.1 * range[j]! * y * Math.sign(weights[j]!)),
        ),
      );
    });
    rows.push(...fresh);
  }
  return rows;
}

describe('repeated-step (Jacobian augmentation) and density signals', () => {
  it('flags Jacobian-based augmentation as extraction within a few rounds, with the steps as evidence', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const rows = jacobianRows(10, 80);
    const found = rows.flatMap((r, i) =>
      detector.observe(state, event(r, 'key-jac')).map((f) => ({ f, at: i + 1 })),
    );
    const step = found.find((x) => x.f.detector === 'extraction.step');
    expect(step).toBeDefined();
    expect(step!.at).toBeLessThan(40);
    const f = step!.f;
    expect(f.kind).toBe('extraction');
    expect(f.atlasTechniques).toContain(ATLAS.extractModel);
    expect(f.evidence).toMatchObject({ statistic: 'repeated-step', keyId: 'key-jac' });
    expect(f.evidence.stepSize as number).toBeCloseTo(0.1, 2);
    expect(f.evidence.share as number).toBeGreaterThan(0.5);
    expect(f.eventIds).toContain(f.evidence.parentEventId);
  });

  it('stays quiet on noisy re-sends of natural rows and on exact re-sends of the same pair', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const pool = Array.from({ length: 12 }, () => reference[Math.floor(rand() * 400)]!.slice());
    const findings = Array.from({ length: 1500 }, (_, i) => {
      const base = pool[Math.floor(rand() * rand() * pool.length)]!;
      const row =
        i % 2 === 0 ? base : base.map((v, j) => v + 0.03 * range[j]! * (rand() + rand() - 1));
      return detector.observe(state, event(row, 'key-benign'));
    }).flat();
    expect(findings.filter((f) => f.detector.endsWith('.step'))).toEqual([]);
  });

  it('flags a search around one point hidden under 2% noise as evasion (density), not a benign client', () => {
    const detector = createExtractionDetector(baseline, { similarity: { denseRadius: 1.2 } });
    const state = detector.init();
    const start = reference[3]!.slice();
    const found = Array.from({ length: 60 }, (_, i) => {
      // NES-like: a slowly drifting centre, probed with small steps, plus 2% noise per feature.
      const centre = start.map((v, j) => v + 0.002 * i * range[j]!);
      const row = centre.map((v, j) => v + 0.02 * range[j]! * (rand() + rand() + rand() - 1.5));
      return detector.observe(state, event(row, 'key-nes')).map((f) => ({ f, at: i + 1 }));
    }).flat();
    const dense = found.find((x) => x.f.detector === 'extraction.density');
    expect(dense).toBeDefined();
    expect(dense!.at).toBeLessThan(30);
    expect(dense!.f.kind).toBe('evasion');
    expect(dense!.f.evidence).toMatchObject({
      statistic: 'neighbours-within-radius',
      keyId: 'key-nes',
    });
    expect(dense!.f.evidence.within as number).toBeGreaterThanOrEqual(16);

    const quiet = detector.init();
    const pool = Array.from({ length: 20 }, () => reference[Math.floor(rand() * 400)]!.slice());
    const benign = Array.from({ length: 1000 }, () => {
      const base = pool[Math.floor(rand() * rand() * pool.length)]!;
      const row =
        rand() < 0.5 ? base : base.map((v, j) => v + 0.03 * range[j]! * (rand() + rand() - 1));
      return detector.observe(quiet, event(row, 'key-benign-2'));
    }).flat();
    expect(benign.filter((f) => f.detector.endsWith('.density'))).toEqual([]);
  });

  it('restores a checkpoint written before these signals and counts their hits from zero', () => {
    const detector = createExtractionDetector(baseline, { similarity: { denseRadius: 1.2 } });
    const state = detector.init();
    const start = reference[5]!.slice();
    const noisy = () =>
      start.map((v, j) => v + 0.02 * range[j]! * (rand() + rand() + rand() - 1.5));
    for (let i = 0; i < 5; i += 1) detector.observe(state, event(noisy(), 'key-old'));
    // What the previous version wrote: no step state, 8-bit window flags, 7 flag counters.
    const old = JSON.parse(JSON.stringify(detector.serialize!(state))) as {
      principals: { entries: [string, number, Record<string, unknown>][] };
    };
    for (const [, , subject] of old.principals.entries) {
      delete subject.step;
      const w = subject.window as Record<string, { $t: string; v: number[] }>;
      w.flags = { $t: 'u8', v: w.flags!.v };
      w.flagCounts = { $t: 'i32', v: w.flagCounts!.v.slice(0, 7) };
    }
    const restored = detector.deserialize!(old);
    const found = Array.from({ length: 40 }, () =>
      detector.observe(restored, event(noisy(), 'key-old')),
    ).flat();
    const dense = found.find((f) => f.detector === 'extraction.density');
    expect(dense).toBeDefined();
    expect(dense!.evidence.denseInWindow).toBe(6);
  });
});
