import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../baseline/baseline-profile.js';
import { parseCsv, type DataTable } from '../baseline/read-table.js';
import { compareToBaseline, DEFAULT_DRIFT_RULE } from './compare-to-baseline.js';
import { createDriftDetector, type DriftState } from './drift-detector.js';
import { makeEvent } from './test-events.js';
import { windowColumnsFromTable } from './window-column.js';
import type { Finding } from '../detector.js';

const read = (p: string): DataTable =>
  parseCsv(readFileSync(new URL(`../../../data/${p}`, import.meta.url), 'utf8'));
const reference = read('breast-cancer/reference.csv');
const holdout = read('breast-cancer/holdout.csv');
const train = read('breast-cancer/train.csv');
const baseline = buildBaseline(reference, { name: 'bc-reference', exclude: ['label'] });
const featureCount = baseline.features.length;

function rowsOf(t: DataTable, transform: (v: number, c: number) => number = (v) => v): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < t.rowCount; r++)
    out.push(Array.from({ length: featureCount }, (_, c) => transform(t.data[c]![r] as number, c)));
  return out;
}

function stream(
  rows: number[][],
  detector = createDriftDetector({
    baselines: { bc: baseline },
    window: { kind: 'count', size: 100 },
  }),
) {
  const state = detector.init();
  const findings: Finding[] = [];
  rows.forEach((row, i) =>
    findings.push(
      ...detector.observe(
        state,
        makeEvent(i, Date.UTC(2026, 0, 1) + i * 1000, [row], [[0.2, 0.8]]),
      ),
    ),
  );
  return { findings, state, detector };
}

describe('baseline profiles', () => {
  it('profiles every feature of the reference with quantile bins and a sorted sample', () => {
    expect(baseline.features).toHaveLength(30);
    const f = baseline.features[0]!;
    expect(f.type).toBe('numeric');
    expect(f.numeric!.edges.length).toBe(9);
    expect(f.numeric!.counts.reduce((a, b) => a + b, 0)).toBe(reference.rowCount);
    expect(f.numeric!.sample).toEqual([...f.numeric!.sample].sort((a, b) => a - b));
  });

  it('defines missing values, constants, mixed types, NaN and infinities', () => {
    const t = parseCsv('a,b,c,d,e\n1,5,x,,inf\nNaN,5,y,,-Infinity\n3,5,2,,4\nNA,5,x,,5\n');
    const p = buildBaseline(t);
    const [a, b, c, d, e] = p.features;
    expect(a).toMatchObject({ type: 'numeric', missing: 2, infinite: 0 });
    expect(b!.numeric!.constant).toBe(true);
    expect(c).toMatchObject({ type: 'categorical', categories: { x: 2, y: 1, '2': 1 } });
    expect(d).toMatchObject({ type: 'empty', missing: 4 });
    expect(e).toMatchObject({ type: 'numeric', infinite: 2 });
    expect(e!.numeric!.sample).toEqual([4, 5]);
    expect(p.warnings.join('\n')).toMatch(/"b" is constant[\s\S]*"d" has no values/);
  });
});

describe('comparing a data set with a baseline', () => {
  it('finds no data-set drift between the reference and the held-out split', () => {
    const c = compareToBaseline(baseline, windowColumnsFromTable(baseline, holdout));
    expect(c.datasetDrift).toBe(false);
    expect(c.compared).toBe(30);
  });

  it('names the features shifted by half a standard deviation', () => {
    const shifted: DataTable = {
      ...train,
      data: train.data.map((col, c) =>
        c < 10 ? col.map((v) => (v as number) + baseline.features[c]!.numeric!.std) : col,
      ),
    };
    const c = compareToBaseline(baseline, windowColumnsFromTable(baseline, shifted), {
      ...DEFAULT_DRIFT_RULE,
      datasetShare: 0.3,
    });
    expect(c.datasetDrift).toBe(true);
    expect(c.drifted).toEqual(
      expect.arrayContaining(baseline.features.slice(0, 10).map((f) => f.name)),
    );
    for (const f of c.features.filter((x) => c.drifted.includes(x.name)))
      expect(f.adjustedPValue! < 0.05 || f.psi! >= 0.25).toBe(true);
  });

  it('treats an empty window as not compared and a rise in missing values as drift', () => {
    const empty = compareToBaseline(baseline, []);
    expect(empty).toMatchObject({ compared: 0, datasetDrift: false, drifted: [] });
    expect(empty.features[0]!.reasons).toEqual(['no values in window']);
    const holes: DataTable = {
      ...holdout,
      data: holdout.data.map((col, c) => (c === 3 ? col.map((v, r) => (r % 2 ? null : v)) : col)),
    };
    const c = compareToBaseline(baseline, windowColumnsFromTable(baseline, holes));
    expect(c.features[3]!.reasons).toContain('missing');
  });
});

describe('streaming drift detector', () => {
  it('stays quiet on rows from the baseline distribution', () => {
    const { findings, state } = stream(rowsOf(holdout).concat(rowsOf(train)));
    expect(findings).toEqual([]);
    expect(state.history.length).toBeGreaterThan(3);
  });

  it('raises one alert per drifted count window naming features, amounts, baseline and window', () => {
    const rows = rowsOf(train, (v, c) => (c % 2 === 0 ? v * 1.6 : v));
    const { findings } = stream(rows);
    expect(findings.length).toBe(Math.floor(rows.length / 100));
    const f = findings[0]!;
    expect(f).toMatchObject({
      kind: 'drift',
      detector: 'drift',
      model: 'bc',
      atlasTechniques: ['AML.T0031'],
      owasp: ['ML08:2023'],
    });
    const ev = f.evidence as {
      baseline: { name: string };
      window: { rows: number; start: string };
      drifted: { name: string; psi: number }[];
    };
    expect(ev.baseline.name).toBe('bc-reference');
    expect(ev.window.rows).toBe(100);
    expect(ev.drifted.map((d) => d.name)).toContain('mean_radius');
    expect(ev.drifted[0]!.psi).toBeGreaterThan(0);
    expect(f.title).toMatch(/features drifted/);
  });

  it('closes duration windows on event time only, and skips events of other models', () => {
    const detector = createDriftDetector({
      baselines: { bc: baseline },
      window: { kind: 'duration', ms: 60_000 },
    });
    const state = detector.init();
    const rows = rowsOf(train, (v) => v * 2);
    let findings: Finding[] = [];
    rows
      .slice(0, 80)
      .forEach(
        (row, i) =>
          (findings = findings.concat(
            detector.observe(state, makeEvent(i, Date.UTC(2026, 0, 1, 0, 0, 0) + i * 500, [row])),
          )),
      );
    expect(findings).toEqual([]);
    expect(
      detector.observe(state, makeEvent(99, Date.UTC(2026, 0, 1, 0, 5), [rows[0]!], null, 'other')),
    ).toEqual([]);
    findings = detector.observe(state, makeEvent(100, Date.UTC(2026, 0, 1, 0, 5), [rows[0]!]));
    expect(findings).toHaveLength(1);
    expect((findings[0]!.evidence as { window: { rows: number } }).window.rows).toBe(80);
  });

  it('keeps a seeded reservoir sample once a duration window reaches maxRows', () => {
    const sample = () => {
      const detector = createDriftDetector({
        baselines: { bc: baseline },
        window: { kind: 'duration', ms: 3_600_000, maxRows: 40 },
      });
      const state = detector.init();
      rowsOf(train)
        .slice(0, 200)
        .forEach((row, i) => detector.observe(state, makeEvent(i, i * 1000, [row])));
      return state.window!;
    };
    const a = sample();
    expect(a).toMatchObject({ rows: 40, offered: 200 });
    expect(a.columns[0]).toHaveLength(40);
    expect(sample().columns).toEqual(a.columns);
    expect(a.columns[0]!.some((v, i) => v !== (train.data[0]![i] as number))).toBe(true);
  });

  it('round-trips its state through a JSON checkpoint, NaN and infinities included', () => {
    const detector = createDriftDetector({
      baselines: { bc: baseline },
      window: { kind: 'count', size: 50 },
    });
    const state = detector.init();
    detector.observe(state, makeEvent(1, 0, [[NaN, Infinity, -Infinity, 1]]));
    const copy: DriftState = detector.deserialize(
      JSON.parse(JSON.stringify(detector.serialize(state))),
    );
    expect(copy.window!.columns.slice(0, 4).map((c) => c[0])).toEqual([
      NaN,
      Infinity,
      -Infinity,
      1,
    ]);
    expect(copy.window!.columns[5]![0]).toBeNaN();
    expect(detector.stateSize(copy)).toBeGreaterThan(0);
    expect(() => detector.deserialize({ nope: 1 })).toThrow(/checkpoint/);
  });

  it('alerts on prediction drift alone, against a baseline whose prediction column is the label', () => {
    const withPrediction = buildBaseline(reference, {
      name: 'bc-reference',
      predictionColumn: 'label',
    });
    const detector = createDriftDetector({
      baselines: { bc: withPrediction },
      window: { kind: 'count', size: 100 },
    });
    const state = detector.init();
    const findings = rowsOf(holdout).flatMap((row, i) =>
      detector.observe(state, makeEvent(i, i * 1000, [row], [[0.05, 0.95]])),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'low',
      title: expect.stringMatching(/prediction distribution drifted/),
    });
    expect((findings[0]!.evidence as { prediction: { drifted: boolean } }).prediction.drifted).toBe(
      true,
    );
  });

  it('refuses bad window options with a stable code', () => {
    expect(() =>
      createDriftDetector({ baselines: {}, window: { kind: 'count', size: 0 } }),
    ).toThrow(expect.objectContaining({ code: 'DETECT_OPTIONS_INVALID' }));
  });
});
