import { z } from 'zod';
import { drillError, DrillErrorCodes } from '../errors.js';
import type { TABLETOP_SCENARIOS } from './packs.js';
import { TABLETOP_ROLES } from './packs.js';

/** What a facilitator writes down after a tabletop exercise (YAML or JSON). */
export const TabletopResultsSchema = z
  .object({
    date: z.iso.date().or(z.iso.datetime()),
    facilitator: z.string().min(1).optional(),
    participants: z
      .array(z.object({ name: z.string().min(1), role: z.enum(TABLETOP_ROLES) }).strict())
      .min(1),
    scores: z
      .array(
        z
          .object({
            role: z.enum(TABLETOP_ROLES),
            decision: z.string().min(1),
            score: z.union([z.literal(0), z.literal(1), z.literal(2)]),
            takenAtMinutes: z.number().nonnegative().optional(),
            note: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    lessons: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type TabletopResults = z.infer<typeof TabletopResultsSchema>;

export interface TabletopRecord extends TabletopResults {
  readonly kind: 'tabletop';
  readonly scenario: (typeof TABLETOP_SCENARIOS)[number];
  readonly recordedAt: string;
  /** Sum of scores over the most that was possible. */
  readonly scoreShare: number;
}

/** Validates entered results; every problem is named by its path in one error. */
export function parseTabletopResults(
  scenario: (typeof TABLETOP_SCENARIOS)[number],
  raw: unknown,
  source: string,
  now: Date,
): TabletopRecord {
  const parsed = TabletopResultsSchema.safeParse(raw);
  if (!parsed.success)
    throw drillError(
      DrillErrorCodes.DRILL_DATA_INVALID,
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    );
  const r = parsed.data;
  const got = r.scores.reduce((sum, s) => sum + s.score, 0);
  return {
    ...r,
    kind: 'tabletop',
    scenario,
    recordedAt: now.toISOString(),
    scoreShare: got / (2 * r.scores.length),
  };
}
