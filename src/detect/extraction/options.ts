import { z } from 'zod';
import { ExtractionErrorCodes, extractionError } from './errors.js';

const PradaOptionsSchema = z
  .object({
    delta: z.number().min(0).max(1).default(0.2),
    minSamples: z.number().int().min(3).default(50),
    growCap: z.number().int().min(1).max(4096).default(8),
    testEvery: z.number().int().min(1).default(4),
    distanceCap: z.number().int().min(10).max(5000).default(128),
    skipNear: z.number().min(0).default(0),
  })
  .strict();

const SimilarityOptionsSchema = z
  .object({
    k: z.number().int().min(1).max(64).default(4),
    historyCap: z.number().int().min(2).max(10_000).default(32),
    threshold: z.number().positive().default(0.35),
    hitsToAlarm: z.number().int().min(1).default(3),
    probeHistory: z.number().int().min(1).max(256).default(8),
    probeMaxChanged: z.number().int().min(1).default(2),
    probeHits: z.number().int().min(1).default(3),
    noveltyDistance: z.number().positive().default(1),
    noveltyShare: z.number().min(0).max(1).default(0.99),
    noveltyMinRows: z.number().int().min(1).default(40),
    /** Density: `denseCount` of the ring within `denseRadius` of a query is one search point probed with noise. */
    denseRadius: z.number().min(0).default(2),
    denseCount: z.number().int().min(1).default(16),
    denseHits: z.number().int().min(1).default(6),
  })
  .strict();

const StepOptionsSchema = z
  .object({
    share: z.number().min(0).max(1).default(0.3),
    maxCv: z.number().min(0).default(0.3),
    minFeatures: z.number().int().min(1).default(4),
    profileCap: z.number().int().min(1).max(256).default(6),
    hits: z.number().int().min(1).default(3),
  })
  .strict();

const SignalOptionsSchema = z
  .object({
    lowMargin: z.number().min(0).max(1).default(0.2),
    lowMarginShare: z.number().min(0).max(1).default(0.6),
    minRows: z.number().int().min(1).default(20),
    outlierHits: z.number().int().min(1).default(6),
    volumeFactor: z.number().min(1).default(10),
    volumeMin: z.number().int().min(1).default(500),
  })
  .strict();

const CrossOptionsSchema = z
  .object({
    tables: z.number().int().min(1).max(8).default(2),
    width: z.number().positive().default(0.2),
    windowMs: z.number().int().min(1000).default(600_000),
    maxBuckets: z.number().int().min(100).default(100_000),
    hits: z.number().int().min(1).default(3),
  })
  .strict();

const KeyEntitlementSchema = z
  .object({
    /** Rows a day the key's owner said it would score (an API-key attribute, or aisoc.yaml). */
    expectedRowsPerDay: z.number().positive().optional(),
    /** Its peer group: keys with the same purpose are compared with each other. */
    purpose: z.string().min(1).max(64).optional(),
  })
  .strict();

/**
 * Per-key behaviour profile (issue 21): weak signals (novelty, cross-principal neighbours,
 * outliers, low margins) and volume beyond the key's entitlement, own history and peers add
 * up to one score; only the score alerts. `false` restores the older standalone signals.
 */
const ProfileOptionsSchema = z
  .object({
    alertScore: z.number().positive().default(1),
    highScore: z.number().positive().default(2),
    /** Rows in 24 h this many times the entitlement add 1 to the score (log scale). */
    entitlementFactor: z.number().gt(1).default(4),
    ownFactor: z.number().gt(2).default(10),
    ownMinDays: z.number().int().min(1).default(2),
    ownMinRows: z.number().int().min(1).default(100),
    peerFactor: z.number().gt(1).default(8),
    peerQuantile: z.number().min(0.5).max(1).default(0.99),
    peerMinKeyDays: z.number().int().min(1).default(50),
    peerMemory: z.number().int().min(10).default(5000),
    minWindow: z.number().int().min(1).default(32),
    idleMs: z
      .number()
      .int()
      .min(1000)
      .default(14 * 86_400_000),
    weight: z
      .object({
        novelty: z.number().min(0).default(0.3),
        cross: z.number().min(0).default(0.5),
        outlier: z.number().min(0).default(0.5),
        boundary: z.number().min(0).default(0.5),
      })
      .strict()
      .default({ novelty: 0.3, cross: 0.5, outlier: 0.5, boundary: 0.5 }),
    keys: z.record(z.string(), KeyEntitlementSchema).default({}),
    /** Entitlement of a key that declares none (unset: such keys are judged on history and peers only). */
    defaultExpectedRowsPerDay: z.number().positive().optional(),
  })
  .strict();

/** Options of the extraction/evasion detector; every field has a default tuned by eval-detect. */
export const ExtractionOptionsSchema = z
  .object({
    sketchDim: z.number().int().min(2).max(256).default(16),
    seed: z.number().int().default(20261121),
    maxPrincipals: z.number().int().min(1).default(20_000),
    idleMs: z.number().int().min(1000).default(3_600_000),
    window: z.number().int().min(8).max(4096).default(64),
    cooldownRows: z.number().int().min(1).default(500),
    byNetwork: z.boolean().default(true),
    prada: z.union([PradaOptionsSchema, z.literal(false)]).default(PradaOptionsSchema.parse({})),
    similarity: z
      .union([SimilarityOptionsSchema, z.literal(false)])
      .default(SimilarityOptionsSchema.parse({})),
    signals: z
      .union([SignalOptionsSchema, z.literal(false)])
      .default(SignalOptionsSchema.parse({})),
    cross: z.union([CrossOptionsSchema, z.literal(false)]).default(CrossOptionsSchema.parse({})),
    /** Repeated-step (Jacobian augmentation) signal; needs `similarity` (it reads its ring). */
    step: z.union([StepOptionsSchema, z.literal(false)]).default(StepOptionsSchema.parse({})),
    profile: z
      .union([ProfileOptionsSchema, z.literal(false)])
      .default(ProfileOptionsSchema.parse({})),
  })
  .strict();
export type ExtractionOptions = z.input<typeof ExtractionOptionsSchema>;
export type ExtractionConfig = z.output<typeof ExtractionOptionsSchema>;
export type ProfileConfig = z.output<typeof ProfileOptionsSchema>;

export function parseExtractionOptions(options: ExtractionOptions = {}): ExtractionConfig {
  const parsed = ExtractionOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw extractionError(
      ExtractionErrorCodes.OPTIONS_INVALID,
      `invalid detector options: ${problems.join('; ')}`,
      problems,
    );
  }
  return Object.freeze(parsed.data);
}
