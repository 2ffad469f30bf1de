import { z } from 'zod';
import { AppError } from '../core/index.js';
import { StoreErrorCodes } from './errors.js';

// A plain lower-case identifier: it is written into `create schema` and the search_path
// startup parameter, so nothing that needs quoting or escaping is accepted.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const SqliteConfigSchema = z
  .object({
    driver: z.literal('sqlite'),
    path: z
      .string()
      .min(1, 'must not be empty')
      .refine((p) => !p.includes('\0'), 'must not contain NUL'),
    synchronous: z.enum(['normal', 'full']).default('normal'),
    busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
  })
  .strict();

const PostgresConfigSchema = z
  .object({
    driver: z.literal('postgres'),
    url: z
      .string()
      .refine((u) => /^postgres(ql)?:\/\//.test(u) && URL.canParse(u), 'must be a postgres:// URL'),
    schema: z.string().regex(SCHEMA_NAME, 'must match [a-z_][a-z0-9_]{0,62}').optional(),
    poolSize: z.number().int().min(1).max(1_000).default(10),
    connectTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
  })
  .strict();

export const StoreConfigSchema = z.discriminatedUnion('driver', [
  SqliteConfigSchema,
  PostgresConfigSchema,
]);

/** What `createStore` accepts; optional fields take the defaults above. */
export type StoreConfig = z.input<typeof StoreConfigSchema>;
/** The same with every default filled in. */
export type ResolvedStoreConfig = z.output<typeof StoreConfigSchema>;

/** Validates a store config, reporting every problem with its path at once. */
export function parseStoreConfig(config: unknown): ResolvedStoreConfig {
  const parsed = StoreConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  const text = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  throw new AppError(StoreErrorCodes.STORE_CONFIG_INVALID, `Invalid store config: ${text}`, {
    details: { problems },
  });
}
