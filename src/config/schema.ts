import { z } from 'zod';
import { FallbackSchema, GATEWAY_PROTOCOLS } from '../core/index.js';
import { OidcSchema } from './oidc-schema.js';
import { ModelPrivacySchema, modelPrivacyIssues, PrivacySchema } from './privacy-schema.js';

const StoreSchema = z.discriminatedUnion('driver', [
  z
    .object({
      driver: z.literal('sqlite'),
      path: z.string().min(1).optional(), // default: <dataDir>/aisoc.db
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
      // One token before every subject; the stream and policy bucket names derive from it.
      subjectPrefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or - (max 32)')
        .default('aisoc'),
      stream: z.string().optional(), // default: the prefix in capitals (AISOC)
      policyBucket: z.string().optional(), // default: <prefix>_policy (aisoc_policy)
      // Scale-out (issue 16): subject partitions the detector workers share, and the KV bucket
      // of leases and detector checkpoints (default <prefix>_scale).
      partitions: z.number().int().min(1).max(64).default(8),
      coordinationBucket: z.string().optional(),
    })
    .strict(),
]);

const RateLimitSchema = z
  .object({
    ratePerSecond: z.number().positive(),
    burst: z.number().int().positive(),
    // Rows per key (each row of a request costs one token); unset: rows are not limited.
    rowsPerSecond: z.number().positive().optional(),
    rowBurst: z.number().int().positive().optional(), // default: ceil(rowsPerSecond)
    rowsPerDay: z.number().int().positive().optional(), // a quota over any 24 h
  })
  .strict();

// Rows one key may send to this model (beside the key's own limits).
const RowLimitSchema = z
  .object({
    rowsPerSecond: z.number().positive(),
    rowBurst: z.number().int().positive().optional(),
    rowsPerDay: z.number().int().positive().optional(),
  })
  .strict();

const RetentionSchema = z.object({ maxAgeDays: z.number().positive() }).strict();

const LedgerSchema = z
  .object({
    origin: z.string().min(1).default('aisoc.local/ledger'),
    keyFile: z.string().min(1).optional(), // default: <dataDir>/ledger.key
    batchSize: z.number().int().min(1).max(100_000).default(1024),
    flushIntervalMs: z.number().int().min(0).max(10_000).default(5),
    maxQueue: z.number().int().min(1).default(200_000),
    // default: `reject` with durable gateways (fail closed), `drop` otherwise
    overflow: z.enum(['drop', 'reject']).optional(),
    checkpointIntervalMs: z.number().int().min(10).default(1000),
    // SQLite: how long a ledger batch waits on another process's lock before it fails (async
    // entries retry; durable requests get 503 promptly). Capped by store.busyTimeoutMs.
    lockWaitMs: z.number().int().min(0).max(600_000).default(250),
    // The pinned signer `aisoc ledger verify` requires (verifier key string); default: ledger.key.
    publicKey: z.string().min(1).optional(),
    // Witnesses the server pushes each new checkpoint to (C2SP tlog-witness style).
    witnesses: z
      .array(z.object({ url: z.string().url(), publicKey: z.string().min(1) }).strict())
      .default([]),
    witnessPushIntervalMs: z.number().int().min(100).default(5000),
    // Per-stream retention (issue 19): payloads older than maxAgeDays are pruned verifiably.
    retention: z
      .object({ inference: RetentionSchema.optional(), audit: RetentionSchema.optional() })
      .strict()
      .default({}),
    retentionIntervalMs: z.number().int().min(1000).default(86_400_000), // SQLite VACUUMs per prune
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
    /** Fails over to `fallback` while the model's error or refusal rate spikes (docs/containment-model.md). */
    circuitBreaker: z
      .object({
        windowMs: z.number().int().min(100).default(10_000),
        minRequests: z.number().int().positive().default(20),
        errorRate: z.number().gt(0).max(1).default(0.5),
        refusalRate: z.number().gt(0).max(1).nullable().default(null),
        openMs: z.number().int().positive().default(30_000),
        probes: z.number().int().positive().default(3),
      })
      .strict()
      .optional(),
    generic: GenericJsonSchema.optional(),
    criticality: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    /** The most sensitive data the model was trained on or sees; feeds incident severity. */
    dataSensitivity: z
      .enum(['public', 'internal', 'confidential', 'restricted'])
      .default('internal'),
    tags: z.array(z.string().min(1).max(64)).max(64).default([]),
    owner: z.string().optional(),
    // Reference data (CSV, JSON Lines or Parquet; a `label` column is ignored) for drift detection.
    baseline: z.string().min(1).optional(),
    /** A decoy: no honest client is told about it, so any query to it is an alert (docs/decoys.md). */
    decoy: z.boolean().default(false),
    // A decoy's keyed watermark (needs `decoy: true` and a CSV `baseline`; docs/decoys.md).
    watermark: z
      .object({
        share: z.number().gt(0).max(1).default(0.25),
        strength: z.number().positive().max(100).default(4),
        components: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .optional(),
    // `blocking`: the gateway runs the per-principal detectors before answering (docs/gateway.md).
    detection: z
      .object({
        mode: z.enum(['monitor', 'blocking']).default('monitor'),
        // Extraction/evasion detector thresholds for this model (docs/detectors-extraction.md);
        // checked against the detector's own schema when detection starts.
        extraction: z.record(z.string(), z.unknown()).optional(),
        // Per-key entitlement and peer group for the behaviour profile.
        keys: z
          .record(
            z.string().min(1),
            z
              .object({
                expectedRowsPerDay: z.number().positive().optional(),
                purpose: z.string().min(1).max(64).optional(),
              })
              .strict(),
          )
          .optional(),
        // Blocking mode: this many refused queries of one key suspend it (0: never; default 3).
        escalateAfterTrips: z.number().int().min(0).max(1_000).optional(),
      })
      .strict()
      .optional(),
    rowLimit: RowLimitSchema.optional(),
    // forensics (issue 12): RFC 6901 pointer into the request body to the data subject
    // (a patient or customer id); recorded on each event, totalled by impact analysis.
    subject: z
      .string()
      .regex(/^(\/.*)?$/, 'a JSON pointer: empty or starting with "/"')
      .optional(),
    // report (issue 12): which notification clocks apply (gdpr, eu-ai-act, nis2, sec-8k, hipaa).
    regulations: z.array(z.string().min(1).max(32)).max(16).default([]),
    // privacy (issue 19): field policies applied before the record is kept (docs/privacy.md).
    privacy: ModelPrivacySchema.optional(),
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
    maxConnections: z.number().int().min(1).default(4096),
    // Requests that never authenticate: per-source limit (then 429) and one ledger entry per
    // source and window instead of one per request (issue 14, finding 11).
    unauthenticated: z
      .object({
        ratePerSecond: z.number().positive().default(20),
        burst: z.number().int().positive().default(100),
        windowMs: z.number().int().min(100).default(10_000),
      })
      .strict()
      .default({ ratePerSecond: 20, burst: 100, windowMs: 10_000 }),
  })
  .strict();

const AdminSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8081),
    tokenFile: z.string().min(1).optional(), // default: <dataDir>/admin.token
    oidc: OidcSchema.optional(), // OIDC bearer tokens beside the admin and user tokens
    // Slow clients cannot hold the admin API (issue 14, finding 12).
    headersTimeoutMs: z.number().int().min(100).default(10_000),
    requestTimeoutMs: z.number().int().min(100).default(60_000), // whole request, body included
    keepAliveTimeoutMs: z.number().int().min(100).default(5_000),
    maxConnections: z.number().int().min(1).default(256),
    metricsTokenFile: z.string().min(1).optional(), // when set, /metrics needs this bearer token
  })
  .strict();

/** Incident response: playbooks, evidence, notification webhooks, approval roles. */
const RespondSchema = z
  .object({
    /** Folder of playbook YAML files; default: the playbooks shipped with aisoc. */
    playbookDir: z.string().optional(),
    /** Content-addressed evidence folder; default: `<dataDir>/evidence`. */
    evidenceDir: z.string().optional(),
    webhooks: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        z.object({ url: z.string().url(), secretFile: z.string() }).strict(),
      )
      .default({}),
    /**
     * SOC tools that raised alerts stream to (CEF over syslog, TheHive alerts), and that
     * `aisoc export incident --sink NAME` sends an incident to.
     */
    sinks: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('syslog'),
              /** udp://host:514, tcp://host:514 or tls://host:6514 */
              url: z
                .string()
                .regex(/^(udp|tcp|tls):\/\/[^/\s]+$/, 'expected udp://, tcp:// or tls://host:port'),
              facility: z
                .enum([
                  'auth',
                  'authpriv',
                  'audit',
                  'local0',
                  'local1',
                  'local2',
                  'local3',
                  'local4',
                  'local5',
                  'local6',
                  'local7',
                ])
                .default('authpriv'),
              /** PEM CA bundle that the collector's TLS certificate must chain to. */
              caFile: z.string().optional(),
              minSeverity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('low'),
            })
            .strict(),
          z
            .object({
              kind: z.literal('thehive'),
              url: z.string().url(),
              apiKeyFile: z.string(),
              organisation: z.string().optional(),
              minSeverity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
            })
            .strict(),
        ]),
      )
      .default({}),
    /** Approval roles each actor holds; without it the role an approver names is trusted. */
    roles: z.record(z.string(), z.array(z.string().min(1))).optional(),
    correlationWindowMs: z
      .number()
      .int()
      .min(0)
      .default(30 * 60_000),
    dedupWindowMs: z.number().int().min(0).default(60_000),
    /** A closed incident re-opens when its principal returns on the same model within this; 0: never. */
    reopenWindowMs: z
      .number()
      .int()
      .min(0)
      .default(24 * 60 * 60_000),
  })
  .strict();

/** Provenance registry: whom signatures must come from, integrity checks, ATLAS data. */
const RegistrySchema = z
  .object({
    /** PEM public keys trusted for OMS signatures (used when no certificate roots are set). */
    trustedKeys: z.array(z.string().min(1)).default([]),
    /** PEM certificates that signing certificates must chain to. */
    certificateRoots: z.array(z.string().min(1)).default([]),
    /**
     * Keyless OMS signatures (Sigstore bundles): the trusted root (Sigstore's trusted_root.json,
     * verified offline) and the signer identities allowed, each a certificate SAN and OIDC issuer.
     */
    sigstore: z
      .object({
        trustedRoot: z.string().min(1),
        identities: z
          .array(z.object({ identity: z.string().min(1), issuer: z.string().url() }).strict())
          .min(1),
      })
      .strict()
      .optional(),
    /** Refuse to approve, deploy or load versions without a signature. */
    requireSignature: z.boolean().default(true),
    /** How often served artifacts are re-hashed and fingerprints replayed. */
    integrityIntervalMs: z.number().int().min(1000).default(60_000),
    /** MITRE ATLAS data (mitre-atlas/atlas-data dist/ATLAS.yaml) for the threat model. */
    atlasFile: z.string().min(1).optional(), // default: the copy shipped in data/atlas/
    /** Refuse `deploy` of a version without a passing `registry validate` against a known-good one. */
    requireValidation: z.boolean().default(false),
    /** Largest drop of any validation metric (accuracy, precision, recall, F1, AUC) that passes. */
    validationTolerance: z.number().min(0).max(1).default(0.01),
    /** Largest demographic parity or equalised-odds difference between groups that passes validation. */
    fairnessTolerance: z.number().min(0).max(1).default(0.1),
    /** Column of evaluation snapshots naming each row's group (`registry validate --group`). */
    fairnessGroup: z.string().min(1).max(64).optional(),
    /** Model-file downloads per identity beyond which an `artifact.access` alert is raised. */
    artifactAccess: z
      .object({
        maxReadsPerHour: z.number().int().min(1).default(200),
        maxBytesPerHour: z
          .number()
          .int()
          .min(1)
          .default(20 * 1024 ** 3),
      })
      .strict()
      .default({ maxReadsPerHour: 200, maxBytesPerHour: 20 * 1024 ** 3 }),
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
    registry: RegistrySchema.default(RegistrySchema.parse({})),
    models: z.array(ModelSchema).default([]),
    respond: RespondSchema.default(RespondSchema.parse({})),
    privacy: PrivacySchema.default(PrivacySchema.parse({})), // privacy (issue 19)
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.gateway.durability === 'durable' && config.ledger.overflow === 'drop')
      ctx.addIssue({
        code: 'custom',
        path: ['ledger', 'overflow'],
        message:
          '`drop` contradicts gateway.durability `durable` (a durable gateway never answers unrecorded): use `reject` or leave it out',
      });
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
      for (const issue of modelPrivacyIssues(model))
        // privacy (issue 19)
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, ...issue.path],
          message: issue.message,
        });
      if (model.detection?.mode === 'blocking' && !model.baseline?.endsWith('.csv')) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'detection', 'mode'],
          message:
            'blocking detection needs a CSV `baseline` (the per-principal detectors need labelled reference rows)',
        });
      }
    });
  });

/** The config as written (file paths under the data folder may be left out). */
export type RawConfig = z.infer<typeof ConfigSchema>;
type Resolved<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
type RawStore = RawConfig['store'];

/** The validated config with every path filled in and absolute: what modules receive. */
export type AisocConfig = Omit<RawConfig, 'store' | 'ledger' | 'admin' | 'privacy'> & {
  store:
    | Resolved<Extract<RawStore, { driver: 'sqlite' }>, 'path'>
    | Extract<RawStore, { driver: 'postgres' }>;
  ledger: Resolved<RawConfig['ledger'], 'keyFile' | 'overflow'>;
  admin: Resolved<RawConfig['admin'], 'tokenFile'>;
  privacy: Resolved<RawConfig['privacy'], 'hmacKeyFile' | 'kekFile'>;
};
export type ModelConfig = AisocConfig['models'][number];
export type ModelVersionConfig = ModelConfig['versions'][number];
export type StoreConfig = AisocConfig['store'];
export type BusConfig = AisocConfig['bus'];
export type LedgerConfig = AisocConfig['ledger'];
export type GatewayConfig = AisocConfig['gateway'];
export type AdminConfig = AisocConfig['admin'];
export type RespondConfig = AisocConfig['respond'];
export type PrivacyConfig = AisocConfig['privacy'];
