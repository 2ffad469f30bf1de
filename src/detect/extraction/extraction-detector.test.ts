import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertSchema, isAppError, type InferenceEvent } from '../../core/index.js';
import {
  ATLAS,
  buildModelBaseline,
  createExtractionDetector,
  OWASP,
  sourceNetwork,
  type ModelBaseline,
} from './index.js';

// A three-class toy model over five features: reference rows are Gaussian, the "model"
// is a fixed linear scorer, so every stream below is deterministic.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
const rand = lcg(7);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const reference = Array.from({ length: 300 }, () =>
  Array.from({ length: 5 }, () => 10 + 2 * gauss()),
);
const baseline: ModelBaseline = buildModelBaseline(reference, { model: 'toy', classCount: 3 });

function answer(row: number[]): number[] {
  const s = [row[0]! - row[1]!, row[1]! - row[2]!, row[2]! - row[0]!];
  const e = s.map((v) => Math.exp(v));
  const t = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / t);
}

let seq = 0;
function event(
  row: number[],
  o: { principal?: string; address?: string; t?: number; outputs?: unknown[] } = {},
): InferenceEvent {
  seq += 1;
  return {
    id: `ev-${seq}`,
    time: new Date(Date.UTC(2026, 0, 1) + (o.t ?? seq * 1000)).toISOString(),
    requestId: `r-${seq}`,
    model: 'toy',
    modelVersion: '1',
    artifactDigest: null,
    protocol: 'generic-json',
    principal: o.principal ?? 'alice',
    keyId: null,
    sourceAddress: o.address ?? '192.0.2.10',
    features: [row],
    outputs: o.outputs ?? [answer(row)],
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1,
  };
}

function feed(
  detector: ReturnType<typeof createExtractionDetector>,
  state: ReturnType<typeof detector.init>,
  events: InferenceEvent[],
) {
  return events.flatMap((e) => detector.observe(state, e));
}

const natural = () => reference[Math.floor(rand() * reference.length)]!;

describe('createExtractionDetector', () => {
  it('stays quiet on a client that replays natural rows with repeats', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const pool = Array.from({ length: 15 }, natural);
    const findings = feed(
      detector,
      state,
      Array.from({ length: 300 }, (_, i) => event([...pool[i % 15]!])),
    );
    expect(findings).toEqual([]);
  });

  it('flags many near-identical queries as evasion with neighbour evidence and ATLAS ids', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const x = natural();
    const findings = feed(
      detector,
      state,
      Array.from({ length: 12 }, (_, i) => event(x.map((v, j) => v + 0.001 * (i + 1) * (j + 1)))),
    );
    const sim = findings.find((f) => f.detector === 'extraction.similarity');
    expect(sim).toBeDefined();
    expect(sim!.kind).toBe('evasion');
    expect(sim!.atlasTechniques).toContain(ATLAS.craftAdversarialData);
    expect(sim!.owasp).toContain(OWASP.inputManipulation);
    expect(sim!.evidence).toMatchObject({ statistic: 'mean-knn-distance', k: 4 });
    expect((sim!.evidence.neighbourEventIds as string[]).length).toBe(4);
    expect(AlertSchema.safeParse({ ...sim, id: 'a1' }).success).toBe(true);
  });

  it('flags coordinate-by-coordinate probing', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    let x = natural();
    const events = Array.from({ length: 6 }, (_, i) => {
      x = x.map((v, j) => (j === i % 5 ? v + 1.5 : v));
      return event(x);
    });
    expect(feed(detector, state, events).map((f) => f.detector)).toContain('extraction.probe');
  });

  it('flags off-distribution queries; never-repeating alone raises no finding', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const events = Array.from({ length: 60 }, () =>
      event(Array.from({ length: 5 }, () => rand() * 40 - 10)),
    );
    const detectors = feed(detector, state, events).map((f) => f.detector);
    expect(detectors).toContain('extraction.outlier');
    expect(detectors).not.toContain('extraction.novelty');
  });

  it('raises standalone novelty findings when the behaviour profile is off', () => {
    const detector = createExtractionDetector(baseline, { profile: false });
    const state = detector.init();
    const events = Array.from({ length: 60 }, () =>
      event(Array.from({ length: 5 }, () => rand() * 40 - 10)),
    );
    expect(feed(detector, state, events).map((f) => f.detector)).toContain('extraction.novelty');
  });

  it('reports a schema violation once per cooldown with a clear problem', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const findings = feed(detector, state, [event([1, 2, 3]), event([1, 2, 3])]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.title).toMatch(/has 3 features, expected 5/);
  });

  it('ignores rejected requests and outputs it cannot read', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const rejected = { ...event(natural()), outcome: 'rejected' as const };
    expect(feed(detector, state, [rejected, event(natural(), { outputs: ['nonsense'] })])).toEqual(
      [],
    );
    expect(state.rows).toBe(0);
  });

  it('aggregates principals that share a /24 and flags their joint probing', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const x = natural();
    const events = Array.from({ length: 24 }, (_, i) =>
      event(
        x.map((v, j) => v + 0.001 * (i + 1) * (j + 1)),
        { principal: `key-${i % 8}`, address: `198.51.100.${i % 8}` },
      ),
    );
    const findings = feed(detector, state, events);
    expect(
      findings.some(
        (f) =>
          f.detector === 'extraction.network.similarity' &&
          f.evidence.subject === '198.51.100.0/24',
      ),
    ).toBe(true);
    expect(findings.some((f) => f.detector === 'extraction.similarity')).toBe(false);
  });

  it('links near-identical queries spread over keys in different networks', () => {
    const detector = createExtractionDetector(baseline, { similarity: false, profile: false });
    const state = detector.init();
    const x = natural();
    const events = Array.from({ length: 30 }, (_, i) =>
      event(
        x.map((v, j) => v + 0.001 * (i + 1) * (j + 1)),
        { principal: `key-${i % 10}`, address: `198.51.${i % 10}.7` },
      ),
    );
    const cross = feed(detector, state, events).find((f) => f.detector === 'extraction.cross');
    expect(cross).toBeDefined();
    expect(cross!.kind).toBe('evasion');
    expect((cross!.evidence.otherPrincipals as string[]).length).toBeGreaterThan(0);
  });

  it('does not link principals that re-send the same natural rows', () => {
    const detector = createExtractionDetector(baseline);
    const state = detector.init();
    const pool = Array.from({ length: 5 }, natural);
    const events = Array.from({ length: 200 }, (_, i) =>
      event([...pool[i % 5]!], { principal: `user-${i % 20}`, address: `10.0.${i % 20}.1` }),
    );
    expect(feed(detector, state, events)).toEqual([]);
  });

  it('evicts idle principals and caps how many it keeps', () => {
    const detector = createExtractionDetector(baseline, { maxPrincipals: 50, idleMs: 60_000 });
    const state = detector.init();
    for (let i = 0; i < 200; i += 1)
      detector.observe(state, event(natural(), { principal: `p${i}`, t: i }));
    expect(state.principals.entries.size).toBeLessThanOrEqual(50);
    const before = detector.stateSize(state);
    for (let i = 0; i < 5000; i += 1)
      detector.observe(state, event(natural(), { principal: 'late', t: 10_000_000 + i }));
    expect(state.principals.entries.size).toBe(1);
    expect(detector.stateSize(state)).toBeLessThan(before);
  });

  it('continues identically after a serialise/deserialise round trip', () => {
    const detector = createExtractionDetector(baseline);
    const x = natural();
    const stream = Array.from({ length: 40 }, (_, i) =>
      event(i % 2 ? natural() : x.map((v, j) => v + 0.001 * i * (j + 1))),
    );
    const a = detector.init();
    const direct = feed(detector, a, stream);
    const b = detector.init();
    const first = feed(detector, b, stream.slice(0, 20));
    const restored = detector.deserialize(JSON.parse(JSON.stringify(detector.serialize(b))));
    expect([...first, ...feed(detector, restored, stream.slice(20))]).toEqual(direct);
  });

  it('rejects bad options with a stable code naming the field', () => {
    try {
      createExtractionDetector(baseline, { similarity: { k: 0 } });
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('EXTRACTION_OPTIONS_INVALID');
      expect((error as Error).message).toMatch(/similarity\.k/);
    }
  });

  it('rejects a reference set with a ragged row', () => {
    expect(() =>
      buildModelBaseline([...reference.slice(0, 20), [1, 2]], { model: 'toy', classCount: 3 }),
    ).toThrow(/2 features, expected 5/);
  });

  it('uses ATLAS and OWASP ids that exist in the data the repository ships', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const atlas = readFileSync(join(root, 'data', 'atlas', 'ATLAS.yaml'), 'utf8');
    for (const id of Object.values(ATLAS)) expect(atlas).toContain(`id: ${id}\n`);
    const owasp = readFileSync(join(root, 'src', 'respond', 'data', 'owasp.json'), 'utf8');
    for (const id of Object.values(OWASP)) expect(owasp).toContain(`"${id}"`);
  });
});

describe('sourceNetwork', () => {
  it('maps IPv4 to its /24 and IPv6 to its /48', () => {
    expect(sourceNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(sourceNetwork('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(sourceNetwork('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
  });
});
