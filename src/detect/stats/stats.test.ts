import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  chiSquareContingency,
  chiSquareGoodnessOfFit,
  chiSquareSf,
  histogram,
  jensenShannon,
  kolmogorovSf,
  ksTwoSample,
  psi,
  quantileEdges,
  quantileSorted,
  wasserstein,
} from './index.js';

// Reference values written by scripts/reference/drift-reference.py (scipy, numpy).
const ref = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/drift/scipy-reference.json', import.meta.url),
    'utf8',
  ),
);

const STAT_RTOL = 1e-10;
const P_RTOL = 1e-8;

function close(actual: number, expected: number, rtol: number, atol = 1e-300): void {
  if (Number.isNaN(expected)) return void expect(actual).toBeNaN();
  const err = Math.abs(actual - expected);
  expect(err, `${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(atol, rtol * Math.abs(expected)),
  );
}

describe('two-sample Kolmogorov–Smirnov', () => {
  for (const c of ref.ks) {
    it(`matches scipy.stats.ks_2samp on ${c.name}`, () => {
      const r = ksTwoSample(c.a, c.b);
      close(r.statistic, c.statistic, STAT_RTOL);
      close(r.pValue, c.pValue, P_RTOL);
    });
  }

  it('gives NaN rather than throwing for an empty sample', () => {
    expect(ksTwoSample([], [1, 2]).pValue).toBeNaN();
  });
});

describe('Kolmogorov distribution', () => {
  it('matches scipy.stats.kstwo.sf across every algorithm regime', () => {
    for (const c of ref.kstwo) close(kolmogorovSf(c.n, c.x), c.sf, P_RTOL, 1e-300);
  });
});

describe('distances', () => {
  for (const c of ref.wasserstein) {
    it(`matches scipy.stats.wasserstein_distance on ${c.name}`, () => {
      close(wasserstein(c.u, c.v), c.distance, STAT_RTOL, 1e-15);
    });
  }
  for (const c of ref.jensenShannon) {
    it(`matches scipy jensenshannon (base 2) on ${c.name}`, () => {
      close(jensenShannon(c.p, c.q), c.distance, STAT_RTOL, 1e-12);
    });
  }
  for (const c of ref.psi) {
    it(`bins on reference quantiles and computes PSI on ${c.name}`, () => {
      const sorted = Float64Array.from(c.reference as number[]).sort();
      const edges = quantileEdges(sorted, c.bins);
      expect(edges.length).toBe(c.edges.length);
      edges.forEach((e, i) => close(e, c.edges[i], STAT_RTOL, 1e-15));
      expect([...histogram(edges, c.reference)]).toEqual(c.expectedCounts);
      expect([...histogram(edges, c.current)]).toEqual(c.actualCounts);
      close(psi(c.expectedCounts, c.actualCounts), c.psi, STAT_RTOL, 1e-15);
    });
  }

  it('interpolates quantiles as numpy does', () => {
    const sorted = Float64Array.from(ref.quantiles.data as number[]).sort();
    ref.quantiles.q.forEach((q: number, i: number) =>
      close(quantileSorted(sorted, q), ref.quantiles.values[i], STAT_RTOL, 1e-15),
    );
  });
});

describe('chi-square', () => {
  for (const c of ref.chiSquare.goodnessOfFit) {
    it(`matches scipy.stats.chisquare on ${c.name}`, () => {
      const r = chiSquareGoodnessOfFit(c.observed, c.expected);
      close(r.statistic, c.statistic, STAT_RTOL);
      close(r.pValue, c.pValue, P_RTOL);
    });
  }
  for (const c of ref.chiSquare.contingency) {
    it(`matches scipy.stats.chi2_contingency on ${c.name}`, () => {
      const r = chiSquareContingency(c.table);
      close(r.statistic, c.statistic, STAT_RTOL);
      close(r.pValue, c.pValue, P_RTOL);
      expect(r.dof).toBe(c.dof);
    });
  }
  it('matches scipy.stats.chi2.sf over a grid of df and x', () => {
    for (const c of ref.chiSquare.sf) close(chiSquareSf(c.x, c.df), c.sf, P_RTOL, 1e-300);
  });
});

describe('multiple-testing corrections', () => {
  it('matches scipy.stats.false_discovery_control for Benjamini–Hochberg', () => {
    adjustPValues(ref.corrections.pValues, 'bh').forEach((p, i) =>
      close(p, ref.corrections.bh[i], 1e-12),
    );
  });
  it('caps Bonferroni-adjusted p-values at one', () => {
    adjustPValues(ref.corrections.pValues, 'bonferroni').forEach((p, i) =>
      close(p, ref.corrections.bonferroni[i], 1e-12),
    );
  });
});
