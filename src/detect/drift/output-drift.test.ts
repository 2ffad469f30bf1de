import { describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../core/index.js';
import type { Finding } from '../detector.js';
import { createOutputDriftDetector, type OutputDriftState } from './output-drift.js';
import { makeEvent } from './test-events.js';

/** A deterministic generator so the tests replay exactly. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** One answered request of `version` from one of `clients` clients, P(class 1) = `p1`. */
function answer(i: number, version: string, p1: number, rnd: () => number, clients = 10) {
  const yes = rnd() < p1;
  const conf = 0.7 + 0.29 * rnd();
  const key = `key-${Math.floor(rnd() * clients)}`;
  return {
    ...makeEvent(
      i,
      Date.UTC(2026, 11, 1) + i * 1000,
      [[0]],
      [[yes ? 1 - conf : conf, yes ? conf : 1 - conf]],
    ),
    modelVersion: version,
    keyId: key,
    principal: key,
  } satisfies InferenceEvent;
}

function feed(
  d: ReturnType<typeof createOutputDriftDetector>,
  s: OutputDriftState,
  events: InferenceEvent[],
): Finding[] {
  return events.flatMap((e) => d.observe(s, e));
}

describe('output drift', () => {
  it('catches a new version that answers differently within one window, without labels', () => {
    const rnd = lcg(1);
    const d = createOutputDriftDetector();
    const s = d.init();
    let i = 0;
    const v1 = Array.from({ length: 3000 }, () => answer(i++, '1', 0.37, rnd));
    expect(feed(d, s, v1)).toEqual([]);
    expect(s.reference?.version).toBe('1');
    const v2 = Array.from({ length: 200 }, () => answer(i++, '2', 0.7, rnd));
    const findings = feed(d, s, v2);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      detector: 'output-drift',
      kind: 'drift',
      severity: 'medium',
      principal: null,
      atlasTechniques: ['AML.T0020', 'AML.T0031'],
      evidence: expect.objectContaining({ version: '2', referenceVersion: '1', windowRows: 150 }),
    });
    // The window that tipped it is the new version's first 150 answers.
    expect(v2.findIndex((e) => e.time === f.time)).toBe(149);
    expect((f.evidence as { totalVariation: number }).totalVariation).toBeGreaterThan(0.2);
    expect((f.evidence as { principals: number }).principals).toBe(10);
  });

  it('counts principals whatever their names, even those of Object.prototype', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const rnd = lcg(7);
      const d = createOutputDriftDetector();
      const s = d.init();
      let i = 0;
      feed(
        d,
        s,
        Array.from({ length: 1000 }, () => answer(i++, '1', 0.37, rnd)),
      );
      const batch = Array.from({ length: 300 }, () => ({
        ...answer(i++, '1', 1, rnd),
        keyId: name,
        principal: name,
      }));
      // One client filled the window: not judged, as for any other name.
      expect(feed(d, s, batch), name).toEqual([]);
    }
  });

  it('stays quiet on honest traffic of one version over many windows and seeds', () => {
    for (const seed of [2, 3, 4, 5, 6]) {
      const rnd = lcg(seed);
      const d = createOutputDriftDetector();
      const s = d.init();
      const events = Array.from({ length: 30_000 }, (_, i) => answer(i, '1', 0.37, rnd, 40));
      expect(feed(d, s, events), `seed ${seed}`).toEqual([]);
    }
  });

  it('does not judge a window one client filled (a batch of one class is not drift)', () => {
    const rnd = lcg(7);
    const d = createOutputDriftDetector();
    const s = d.init();
    let i = 0;
    feed(
      d,
      s,
      Array.from({ length: 1000 }, () => answer(i++, '1', 0.37, rnd)),
    );
    const batch = Array.from({ length: 300 }, () => ({
      ...answer(i++, '1', 1, rnd),
      keyId: 'nightly-batch',
      principal: 'nightly-batch',
    }));
    expect(feed(d, s, batch)).toEqual([]);
  });

  it('adopts a clean new version as the reference, and skips hardened answers', () => {
    const rnd = lcg(8);
    const d = createOutputDriftDetector({ referenceRows: 500 });
    const s = d.init();
    let i = 0;
    feed(
      d,
      s,
      Array.from({ length: 500 }, () => answer(i++, '1', 0.37, rnd)),
    );
    expect(
      feed(
        d,
        s,
        Array.from({ length: 700 }, () => answer(i++, '2', 0.37, rnd)),
      ),
    ).toEqual([]);
    expect(s.reference?.version).toBe('2');
    const rounded = Array.from({ length: 400 }, () => ({
      ...answer(i++, '2', 0.9, rnd),
      policyAction: 'harden_output:act_1',
    }));
    expect(feed(d, s, rounded)).toEqual([]);
  });

  it('restores from a checkpoint and goes on exactly as before', () => {
    const rnd = lcg(9);
    const d = createOutputDriftDetector();
    const a = d.init();
    let i = 0;
    feed(
      d,
      a,
      Array.from({ length: 1100 }, () => answer(i++, '1', 0.37, rnd)),
    );
    const b = d.deserialize(JSON.parse(JSON.stringify(d.serialize(a))));
    const more = Array.from({ length: 200 }, () => answer(i++, '3', 0.8, rnd));
    expect(feed(d, b, more)).toEqual(feed(d, a, more));
    expect(() => d.deserialize({ nope: true })).toThrow(/not an output-drift state/);
  });
});
