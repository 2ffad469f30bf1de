import {
  createExtractionDetector,
  type ExtractionOptions,
  type ModelBaseline,
} from '../../src/detect/extraction/index.js';
import type { QueryTarget } from '../../src/drill/attacks/index.js';
import { runBenignPopulation, type BenignPopulationOptions } from './benign-population.js';

/** One tunable: its grid (most sensitive first), the finding it governs, and how far to back off. */
interface Grid {
  readonly name:
    'threshold' | 'delta' | 'noveltyShare' | 'width' | 'outlierHits' | 'stepShare' | 'denseRadius';
  readonly detector: string;
  readonly values: readonly number[];
  /** Grid steps towards caution after the first quiet value (PRADA's W is noisier). */
  readonly margin: number;
  readonly fallback: number;
  readonly options: (v: number) => ExtractionOptions;
}

// Each tunable is calibrated on its standalone finding, so the behaviour profile is off here.
const QUIET_OTHERS = { prada: false, byNetwork: false, profile: false } as const;

const GRIDS: readonly Grid[] = [
  {
    name: 'threshold',
    detector: 'extraction.similarity',
    values: [1.2, 1, 0.8, 0.6, 0.45, 0.35, 0.25, 0.18, 0.12],
    margin: 1,
    fallback: 0.05,
    options: (threshold) => ({
      ...QUIET_OTHERS,
      signals: false,
      cross: false,
      similarity: { threshold },
    }),
  },
  {
    name: 'delta',
    detector: 'extraction.prada',
    values: [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
    margin: 2,
    fallback: 0.2,
    options: (delta) => ({
      byNetwork: false,
      profile: false,
      similarity: false,
      signals: false,
      cross: false,
      prada: { delta, minSamples: 50 },
    }),
  },
  {
    name: 'noveltyShare',
    detector: 'extraction.novelty',
    values: [0.6, 0.7, 0.75, 0.8, 0.9, 0.95],
    margin: 1,
    fallback: 0.99,
    options: (noveltyShare) => ({
      ...QUIET_OTHERS,
      cross: false,
      similarity: { threshold: 1e-9, noveltyShare },
    }),
  },
  {
    name: 'width',
    detector: 'extraction.cross',
    values: [0.8, 0.6, 0.45, 0.3, 0.2, 0.12, 0.08],
    margin: 1,
    fallback: 0.05,
    options: (width) => ({
      ...QUIET_OTHERS,
      similarity: { threshold: 1e-9, noveltyShare: 1 },
      cross: { width },
    }),
  },
  {
    name: 'outlierHits',
    detector: 'extraction.outlier',
    values: [4, 6, 8, 10, 12, 16, 24],
    margin: 1,
    fallback: 32,
    options: (outlierHits) => ({ ...QUIET_OTHERS, cross: false, signals: { outlierHits } }),
  },
  {
    name: 'denseRadius',
    detector: 'extraction.density',
    values: [2.4, 2, 1.6, 1.3, 1.1, 0.9, 0.75, 0.6, 0.45],
    margin: 1,
    fallback: 0.3,
    options: (denseRadius) => ({
      ...QUIET_OTHERS,
      signals: false,
      cross: false,
      step: false,
      similarity: { threshold: 1e-9, noveltyShare: 1, denseRadius },
    }),
  },
  {
    name: 'stepShare',
    detector: 'extraction.step',
    values: [0.1, 0.15, 0.2, 0.25, 0.3, 0.4],
    margin: 1,
    fallback: 0.5,
    options: (share) => ({
      ...QUIET_OTHERS,
      signals: false,
      cross: false,
      similarity: { threshold: 1e-9, noveltyShare: 1 },
      step: { share },
    }),
  },
];

export interface Calibration {
  readonly options: ExtractionOptions;
  readonly grids: Record<string, { values: readonly number[]; flagged: number[]; chosen: number }>;
}

/**
 * Replays benign principals once through one detector per grid value and picks, per tunable,
 * the most sensitive value that flags nobody, backed off by its margin.
 */
export async function calibrate(
  baseline: ModelBaseline,
  target: QueryTarget,
  population: BenignPopulationOptions,
): Promise<Calibration> {
  const runs = GRIDS.flatMap((g) =>
    g.values.map((v) => ({ g, detector: createExtractionDetector(baseline, g.options(v)) })),
  );
  const results = await runBenignPopulation(
    runs.map((r) => r.detector),
    target,
    population,
  );
  const chosen: Record<string, number> = {};
  const grids: Calibration['grids'] = {};
  for (const g of GRIDS) {
    const flagged = runs
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.g === g)
      .map(
        ({ i }) =>
          [...results[i]!.flagged.values()].filter((fs) =>
            fs.some((f) => f.detector === g.detector),
          ).length,
      );
    const quiet = flagged.findIndex((f) => f === 0);
    chosen[g.name] = quiet < 0 ? g.fallback : (g.values[quiet + g.margin] ?? g.fallback);
    grids[g.name] = { values: g.values, flagged, chosen: chosen[g.name]! };
  }
  const options: ExtractionOptions = {
    similarity: {
      threshold: chosen.threshold,
      noveltyShare: chosen.noveltyShare,
      denseRadius: chosen.denseRadius,
    },
    prada: { delta: chosen.delta, minSamples: 50 },
    cross: { width: chosen.width },
    signals: { outlierHits: chosen.outlierHits },
    step: { share: chosen.stepShare },
  };
  return { options, grids };
}
