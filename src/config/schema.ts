import { z } from 'zod';
import { FallbackSchema, GATEWAY_PROTOCOLS } from '../core/index.js';

const StoreSchema = z.discriminatedUnion('driver', [
  z
    .object({
      driver: z.literal('sqlite'),
      path: z.string().min(1).default('.aisoc/aisoc.db'),
      synchronous: z.enum(['normal', 'full']).default('normal'),
      busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
    })
    .strict(),
  z
    .object({
      driver: z.literal('postgres'),
      url: z.string().url(),
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/)
        .optional(),
      poolSize: z.number().int().min(1).max(1_000).default(10),
      connectTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    })
    .strict(),
]);

const BusSchema = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('memory') }).strict(),
  z
    .object({
      driver: z.literal('nats'),
      servers: z.array(z.string().min(1)).min(1),
      stream: z.string().default('AISOC'),
      policyBucket: z.string().default('aisoc_policy'),
    })
    .strict(),
]);

const RateLimitSchema = z
  .object({ ratePerSecond: z.number().positive(), burst: z.number().int().positive() })
  .strict();

const LedgerSchema = z
  .object({
    origin: z.string().min(1).default('aisoc.local/ledger'),
    keyFile: z.string().min(1).default('.aisoc/ledger.key'),
    batchSize: z.number().int().min(1).max(100_000).default(1024),
    flushIntervalMs: z.number().int().min(0).max(10_000).default(5),
    maxQueue: z.number().int().min(1).default(200_000),
    overflow: z.enum(['drop', 'reject']).default('drop'),
    checkpointIntervalMs: z.number().int().min(10).default(1000),
  })
  .strict();

const ModelVersionSchema = z
  .object({
    version: z.string().min(1),
    upstream: z.string().url().optional(),
    onnx: z.string().min(1).optional(),
    digest: z
      .string()
      .regex(/^(sha256:)?[0-9a-f]{64}$/)
      .optional(),
  })
  .strict()
  .refine((v) => (v.upstream === undefined) !== (v.onnx === undefined), {
    message: 'a version needs exactly one of `upstream` (URL) or `onnx` (file path)',
  });

const GenericJsonSchema = z
  .object({
    featuresPointer: z.string().startsWith('/').default('/features'),
    outputsPointer: z.string().startsWith('/').default('/predictions'),
  })
  .strict();

const ModelSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, . _ - (max 128)'),
    protocol: z.enum(GATEWAY_PROTOCOLS).default('kserve-v2'),
    featureCount: z.number().int().positive().optional(),
    versions: z.array(ModelVersionSchema).min(1),
    activeVersion: z.string().optional(),
    fallback: FallbackSchema.optional(),
    generic: GenericJsonSchema.optional(),
    criticality: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    owner: z.string().optional(),
  })
  .strict();

const GatewaySchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    bodyLimitBytes: z.number().int().min(1).default(1_048_576),
    bodyTimeoutMs: z.number().int().min(1).default(10_000),
    upstreamTimeoutMs: z.number().int().min(1).default(10_000),
    upstreamConnections: z.number().int().min(1).default(64),
    durability: z.enum(['async', 'durable']).default('async'),
    defaultRateLimit: RateLimitSchema.default({ ratePerSecond: 100, burst: 200 }),
    trustProxy: z.boolean().default(false),
    recordFeatures: z.boolean().default(true),
  })
  .strict();

const AdminSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8081),
    tokenFile: z.string().default('.aisoc/admin.token'),
  })
  .strict();

/** The whole `aisoc.yaml`. Every field has a default except models. */
export const ConfigSchema = z
  .object({
    dataDir: z.string().default('.aisoc'),
    store: StoreSchema.default(() => StoreSchema.parse({ driver: 'sqlite' })),
    bus: BusSchema.default({ driver: 'memory' }),
    ledger: LedgerSchema.default(LedgerSchema.parse({})),
    gateway: GatewaySchema.default(GatewaySchema.parse({})),
    admin: AdminSchema.default(AdminSchema.parse({})),
    models: z.array(ModelSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.models.forEach((model, i) => {
      if (seen.has(model.id))
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'id'],
          message: `duplicate model id "${model.id}"`,
        });
      seen.add(model.id);
      const versions = new Set(model.versions.map((v) => v.version));
      if (versions.size !== model.versions.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'versions'],
          message: 'duplicate version',
        });
      }
      if (model.activeVersion !== undefined && !versions.has(model.activeVersion)) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'activeVersion'],
          message: `"${model.activeVersion}" is not one of the listed versions`,
        });
      }
      if (
        model.protocol === 'generic-json' &&
        model.versions.some((v) => v.onnx === undefined) &&
        !model.generic
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'generic'],
          message: 'generic-json upstreams need `generic` pointers',
        });
      }
    });
  });

export type AisocConfig = z.infer<typeof ConfigSchema>;
export type ModelConfig = AisocConfig['models'][number];
export type ModelVersionConfig = ModelConfig['versions'][number];
export type StoreConfig = AisocConfig['store'];
export type BusConfig = AisocConfig['bus'];
export type LedgerConfig = AisocConfig['ledger'];
export type GatewayConfig = AisocConfig['gateway'];
export type AdminConfig = AisocConfig['admin'];
