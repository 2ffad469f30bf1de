import { z } from 'zod';
import { registryError } from './errors.js';
import { CRITICALITIES, DATA_CLASSIFICATIONS } from './types.js';

// Validated once at the registry's edge (API, CLI and composition root all come through here).

const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/, 'letters, digits and . _ : @ / + - only');
const text = z.string().max(2000);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not SHA-256 hex');
const file = z
  .object({ path: z.string().min(1), digest: sha256, size: z.number().int().min(0) })
  .strict();

export const ModelInputSchema = z
  .object({
    name,
    owner: name,
    description: text.default(''),
    criticality: z.enum(CRITICALITIES).default('medium'),
    dataClassification: z.enum(DATA_CLASSIFICATIONS).default('internal'),
  })
  .strict();
export type ModelInput = z.input<typeof ModelInputSchema>;

export const VersionInputSchema = z
  .object({
    model: name,
    version: name,
    /** Artifact directory or file; its files are hashed now. */
    location: z.string().min(1).optional(),
    /** Files of a remote-only version (no location). */
    files: z.array(file).optional(),
    /** Absolute http(s) URL of the server answering for this version (the gateway forwards there). */
    upstream: z
      .string()
      .max(2000)
      .url()
      .refine(
        (u) => /^https?:\/\/[^/@]+(\/|$)/i.test(u),
        'must be an http(s) URL without credentials',
      )
      .optional(),
    /** OMS signature bundle text. */
    signature: z.string().max(50_000_000).optional(),
  })
  .strict()
  .refine((v) => v.location !== undefined || v.files !== undefined || v.upstream !== undefined, {
    message: 'give a location, files, or an upstream',
  });
export type VersionInput = z.input<typeof VersionInputSchema>;

export const DatasetInputSchema = z
  .object({
    name,
    owner: name,
    description: text.default(''),
    dataClassification: z.enum(DATA_CLASSIFICATIONS).default('internal'),
  })
  .strict();
export type DatasetInput = z.input<typeof DatasetInputSchema>;

export const SnapshotInputSchema = z
  .object({
    dataset: name,
    label: name,
    location: z.string().min(1).optional(),
    files: z.array(file.extend({ rows: z.number().int().min(0).optional() })).optional(),
    rowCount: z.number().int().min(0),
    schema: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((s) => s.location !== undefined || s.files !== undefined, {
    message: 'give a location or files',
  });
export type SnapshotInput = z.input<typeof SnapshotInputSchema>;

export const RunInputSchema = z
  .object({
    codeRevision: z.string().min(1).max(200),
    params: z.record(z.string(), z.unknown()).default({}),
    inputs: z.array(z.object({ dataset: name, label: name }).strict()).default([]),
    outputs: z.array(z.object({ model: name, version: name }).strict()).default([]),
    /** Pre-trained model versions the run fine-tuned. */
    baseModels: z.array(z.object({ model: name, version: name }).strict()).default([]),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
  })
  .strict();
export type RunInput = z.input<typeof RunInputSchema>;

/** Parses input against a schema; every problem is reported with its path at once. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw registryError('REGISTRY_INPUT_INVALID', `${what}: ${problems.join('; ')}`, {
    details: { problems },
  });
}
