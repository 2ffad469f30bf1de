import { z } from 'zod';
import { ContainmentActionSchema, SEVERITIES } from '../core/index.js';
import { PHASES } from './incident.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** '30s', '10m', '4h', '1d' or a number of milliseconds. */
export const DurationSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(DURATION, 'a duration such as 500ms, 30s, 10m, 4h or 1d')
    .transform((s) => {
      const [, n, unit] = DURATION.exec(s)!;
      return Math.round(Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS]);
    }),
]);

const StepId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _');

const common = {
  id: StepId,
  name: z.string().max(200).optional(),
  retry: z
    .object({ attempts: z.number().int().min(1).max(10), backoff: DurationSchema })
    .strict()
    .default({ attempts: 3, backoff: 500 }),
  onFailure: z.enum(['continue', 'stop']).default('continue'),
};

export const EVIDENCE_ITEMS = ['artifact', 'events', 'detector_state', 'config', 'alerts'] as const;

const WaitCondition = z.union([
  z.object({ quiet_for: DurationSchema }).strict(),
  z.object({ task_done: StepId }).strict(),
  z.object({ phase: z.enum(PHASES) }).strict(),
]);

export const StepSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('contain'), action: ContainmentActionSchema }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('snapshot_evidence'),
      items: z.array(z.enum(EVIDENCE_ITEMS)).min(1),
      window: DurationSchema.default(3_600_000),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('notify'),
      webhook: z.string().min(1),
      text: z.string().min(1).max(4000),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('task'),
      title: z.string().min(1).max(500),
      role: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('approval'),
      role: z.string().min(1),
      prompt: z.string().min(1).max(2000),
      timeout: DurationSchema.default(4 * 3_600_000),
      onTimeout: z.enum(['continue', 'stop']).default('stop'),
      onReject: z.enum(['continue', 'stop']).default('stop'),
      /** A webhook to post the request to, with the command and API call that decide it. */
      notify: z.string().min(1).optional(),
      /**
       * No person is needed when open incidents about this many different subjects (keys or
       * networks), each at least this confident, report the same technique family on the
       * model: independent signals agree (issue 21: model-wide actions need an approval
       * unless they do).
       */
      unlessCorroborated: z
        .object({
          subjects: z.number().int().min(2).max(1000).default(2),
          minConfidence: z.number().min(0).max(1).default(0.9),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('freeze_pipeline'),
      /** A webhook of `respond.webhooks`: the pipeline hook (docs/pipeline-freeze.md). */
      hook: z.string().min(1),
      /** Dataset names whose pipelines stop and whose new snapshots aisoc refuses; `*`: all. */
      datasets: z.array(z.string().min(1).max(200)).min(1).default(['*']),
      reason: z.string().min(1).max(2000).default('incident {{incident.id}}: {{incident.title}}'),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('set_phase'), phase: z.enum(PHASES) }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('wait'),
      until: WaitCondition,
      timeout: DurationSchema,
      onTimeout: z.enum(['continue', 'stop', 'escalate']).default('escalate'),
    })
    .strict(),
]);
export type PlaybookStep = z.infer<typeof StepSchema>;
export type StepKind = PlaybookStep['kind'];

export const PlaybookSchema = z
  .object({
    id: StepId,
    name: z.string().min(1).max(200),
    description: z.string().max(4000).optional(),
    trigger: z
      .object({
        kinds: z.array(z.string().min(1)).min(1),
        minSeverity: z.enum(SEVERITIES).default('info'),
        models: z.array(z.string()).optional(),
        tags: z.array(z.string()).optional(),
        /** Only alerts whose evidence has each of these fields (e.g. `keyId`: a key to act on). */
        evidence: z.array(z.string().min(1)).min(1).optional(),
        /** Only alerts from these detectors: a name, or a prefix ending in `*` (`extraction.network.*`). */
        detectors: z
          .array(
            z.string().regex(/^[A-Za-z0-9_.:-]+\*?$/, 'a detector name, or a prefix ending in *'),
          )
          .min(1)
          .optional(),
      })
      .strict(),
    steps: z.array(StepSchema).min(1),
  })
  .strict();
export type Playbook = z.infer<typeof PlaybookSchema>;
