import { z } from 'zod';

/** Containment actions the gateway enforces. Every one has an inverse (lift). */
export const CONTAINMENT_ACTION_KINDS = [
  'suspend_key',
  'revoke_key',
  'rate_limit',
  'isolate_model',
  'pin_version',
  'harden_output',
  'block_input',
  'detect_inline',
  'deploy_version',
  'watermark',
] as const;
export type ContainmentActionKind = (typeof CONTAINMENT_ACTION_KINDS)[number];

export const FallbackSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('static'), body: z.unknown(), status: z.number().int().default(200) })
    .strict(),
  z.object({ kind: z.literal('upstream'), upstream: z.string() }).strict(),
  z.object({ kind: z.literal('reject') }).strict(),
]);
export type Fallback = z.infer<typeof FallbackSchema>;

/**
 * An input rule: a request is refused when any of its rows matches. `range` matches a row whose
 * feature `feature` (0-based) is outside [min, max] (`outside`) or inside it (`inside`);
 * `row_digest` matches a row whose SHA-256 of canonical JSON (the number array) is listed.
 */
export const InputRuleSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('range'),
      feature: z.number().int().nonnegative(),
      min: z.number().optional(),
      max: z.number().optional(),
      match: z.enum(['inside', 'outside']).default('inside'),
    })
    .strict(),
  z
    .object({
      type: z.literal('row_digest'),
      digests: z
        .array(z.string().regex(/^[0-9a-f]{64}$/))
        .min(1)
        .max(10_000),
    })
    .strict(),
]);
export type InputRule = z.infer<typeof InputRuleSchema>;

export const HARDENING_MODES = ['top1', 'label_only', 'top_k', 'round'] as const;
export type HardeningMode = (typeof HARDENING_MODES)[number];

/** How answers are hardened, by which action. */
export interface HardeningPolicy {
  readonly mode: HardeningMode;
  readonly decimals: number;
  readonly k: number;
  readonly actionId: string;
}

export const ContainmentActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('suspend_key'), keyId: z.string() }).strict(),
  z.object({ kind: z.literal('revoke_key'), keyId: z.string() }).strict(),
  // One key's requests, or every key's together on a model (`model`) or on one inference path
  // of it (`model` and `endpoint`, e.g. `/v2/models/digits/infer`): a shared bucket per gateway.
  z
    .object({
      kind: z.literal('rate_limit'),
      keyId: z.string().optional(),
      model: z.string().optional(),
      endpoint: z.string().startsWith('/').max(1000).optional(),
      ratePerSecond: z.number().positive(),
      burst: z.number().int().positive(),
      // Rows count too: a 64-row request costs 64 row tokens. Without these the key may send
      // `ratePerSecond` rows/s in bursts of `burst` rows, so a throttle cannot be outrun by
      // packing rows into one request.
      rowsPerSecond: z.number().positive().optional(),
      rowBurst: z.number().int().positive().optional(),
      /** A quota: at most this many rows in any 24 h (a bucket refilled over a day). */
      rowsPerDay: z.number().int().positive().optional(),
    })
    .strict()
    .refine((a) => (a.keyId === undefined) !== (a.model === undefined), {
      message: 'a rate_limit targets either "keyId" or "model" (with an optional "endpoint")',
    })
    .refine((a) => a.endpoint === undefined || a.model !== undefined, {
      message: 'an "endpoint" rate_limit names its "model" too',
      path: ['endpoint'],
    }),
  z
    .object({
      kind: z.literal('isolate_model'),
      model: z.string(),
      fallback: FallbackSchema.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('pin_version'), model: z.string(), version: z.string() }).strict(),
  // Output hardening against extraction (Tramèr et al., USENIX Security 2016: rounding and
  // label-only answers raise the query cost): `top1` answers the label only, `round` rounds
  // every score to `decimals`.
  // `label_only` is `top1` by its usual name; `top_k` keeps the `k` highest scores of a row and
  // zeroes the rest (the answer keeps its shape). With `keyId` only that key's answers change
  // (containment of one suspect), else every key's (a model-wide action).
  z
    .object({
      kind: z.literal('harden_output'),
      model: z.string(),
      mode: z.enum(HARDENING_MODES),
      decimals: z.number().int().min(0).max(6).default(2),
      k: z.number().int().min(1).max(1000).optional(), // top_k only; default 1
      keyId: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('block_input'),
      model: z.string(),
      rule: InputRuleSchema,
      description: z.string().max(500).optional(),
    })
    .strict(),
  // Blocking detection: the gateway runs the model's per-principal detectors before answering
  // and withholds the answer to a query that raises a finding. One key on the model when
  // `keyId` is given, else every key.
  z
    .object({ kind: z.literal('detect_inline'), model: z.string(), keyId: z.string().optional() })
    .strict(),
  // A registry deployment: the version a model serves when no pin and no version route says
  // otherwise. Not containment (a pin outranks it); lifting it returns to the previous one.
  z.object({ kind: z.literal('deploy_version'), model: z.string(), version: z.string() }).strict(),
  // Detect-then-watermark (after DAWN, Szyller et al., ACM MM 2021): a keyed share (under
  // 0.5 %) of the key's answers on the model is altered, so a copy trained on them can be
  // recognised later. Which answers are altered is a keyed function of the action id and the
  // row (see the gateway's watermark.ts), so aisoc can recompute them from the ledger.
  z
    .object({
      kind: z.literal('watermark'),
      model: z.string(),
      keyId: z.string(),
      share: z.number().positive().max(0.005).default(0.004),
    })
    .strict(),
]);
export type ContainmentAction = z.infer<typeof ContainmentActionSchema>;

/** An action as recorded: who applied it, when, why, and whether it has been lifted. */
export const AppliedActionSchema = z
  .object({
    id: z.string(),
    action: ContainmentActionSchema,
    reason: z.string(),
    actor: z.string(),
    appliedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
  })
  .strict();
export type AppliedAction = z.infer<typeof AppliedActionSchema>;

/**
 * What every gateway enforces, derived from the active actions. A later action on the same
 * target replaces the earlier one (revoke beats suspend: a revoked key never comes back).
 */
export interface PolicySnapshot {
  readonly version: number;
  readonly keys: ReadonlyMap<string, { state: 'suspended' | 'revoked'; actionId: string }>;
  readonly rateLimits: ReadonlyMap<string, RateLimitPolicy>;
  /** Every key's requests together on a model, by model id (the latest action wins). */
  readonly modelRateLimits: ReadonlyMap<string, RateLimitPolicy>;
  /** Every key's requests together on one inference path, by the path as the action gives it. */
  readonly endpointRateLimits: ReadonlyMap<string, RateLimitPolicy & { readonly model: string }>;
  readonly isolated: ReadonlyMap<string, { fallback: Fallback | undefined; actionId: string }>;
  readonly pinned: ReadonlyMap<string, { version: string; actionId: string }>;
  /** The deployed version per model (the latest active `deploy_version`); pins outrank it. */
  readonly deployed: ReadonlyMap<string, { version: string; actionId: string }>;
  /** Output hardening per model for every key (the latest action wins). */
  readonly hardened: ReadonlyMap<string, HardeningPolicy>;
  /** Output hardening of one key's answers, by `${model}\u0000${keyId}` (before the model's). */
  readonly keyHardened: ReadonlyMap<string, HardeningPolicy>;
  /** Watermarked answers of one key, by `${model}\u0000${keyId}`. */
  readonly watermarked: ReadonlyMap<string, { share: number; actionId: string }>;
  /** Input rules per model; every active rule applies (they accumulate). */
  readonly inputRules: ReadonlyMap<string, readonly { rule: InputRule; actionId: string }[]>;
  /** Inline (blocking) detection per model: for every key (`all`) and per key id. */
  readonly detectInline: ReadonlyMap<string, InlineDetectionPolicy>;
}

/** A containment rate limit: requests and rows per second, and an optional row quota. */
export interface RateLimitPolicy {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly rowsPerSecond: number;
  readonly rowBurst: number;
  readonly rowsPerDay: number | null;
  readonly actionId: string;
}

/** Which keys of one model have their queries inspected before the answer, by which action. */
export interface InlineDetectionPolicy {
  readonly all: string | null;
  readonly keys: ReadonlyMap<string, string>;
}

/** Folds active (not lifted) actions, oldest first, into the snapshot the gateway reads. */
export function buildPolicySnapshot(
  version: number,
  actions: readonly AppliedAction[],
): PolicySnapshot {
  const keys = new Map<string, { state: 'suspended' | 'revoked'; actionId: string }>();
  const rateLimits = new Map<string, RateLimitPolicy>();
  const modelRateLimits = new Map<string, RateLimitPolicy>();
  const endpointRateLimits = new Map<string, RateLimitPolicy & { model: string }>();
  const isolated = new Map<string, { fallback: Fallback | undefined; actionId: string }>();
  const pinned = new Map<string, { version: string; actionId: string }>();
  const deployed = new Map<string, { version: string; actionId: string }>();
  const hardened = new Map<string, HardeningPolicy>();
  const keyHardened = new Map<string, HardeningPolicy>();
  const watermarked = new Map<string, { share: number; actionId: string }>();
  const inputRules = new Map<string, { rule: InputRule; actionId: string }[]>();
  const detectInline = new Map<string, { all: string | null; keys: Map<string, string> }>();
  for (const applied of actions) {
    if (applied.liftedAt !== null) continue;
    const a = applied.action;
    switch (a.kind) {
      case 'suspend_key':
        if (keys.get(a.keyId)?.state !== 'revoked')
          keys.set(a.keyId, { state: 'suspended', actionId: applied.id });
        break;
      case 'revoke_key':
        keys.set(a.keyId, { state: 'revoked', actionId: applied.id });
        break;
      case 'rate_limit': {
        const limit: RateLimitPolicy = {
          ratePerSecond: a.ratePerSecond,
          burst: a.burst,
          rowsPerSecond: a.rowsPerSecond ?? a.ratePerSecond,
          rowBurst: a.rowBurst ?? a.burst,
          rowsPerDay: a.rowsPerDay ?? null,
          actionId: applied.id,
        };
        if (a.keyId !== undefined) rateLimits.set(a.keyId, limit);
        else if (a.endpoint !== undefined)
          endpointRateLimits.set(a.endpoint, { ...limit, model: a.model! });
        else if (a.model !== undefined) modelRateLimits.set(a.model, limit);
        break;
      }
      case 'isolate_model':
        isolated.set(a.model, { fallback: a.fallback, actionId: applied.id });
        break;
      case 'pin_version':
        pinned.set(a.model, { version: a.version, actionId: applied.id });
        break;
      case 'deploy_version':
        deployed.set(a.model, { version: a.version, actionId: applied.id });
        break;
      case 'harden_output': {
        const policy = { mode: a.mode, decimals: a.decimals, k: a.k ?? 1, actionId: applied.id };
        if (a.keyId === undefined) hardened.set(a.model, policy);
        else keyHardened.set(`${a.model}\u0000${a.keyId}`, policy);
        break;
      }
      case 'watermark':
        watermarked.set(`${a.model}\u0000${a.keyId}`, { share: a.share, actionId: applied.id });
        break;
      case 'block_input':
        inputRules.set(a.model, [
          ...(inputRules.get(a.model) ?? []),
          { rule: a.rule, actionId: applied.id },
        ]);
        break;
      case 'detect_inline': {
        let entry = detectInline.get(a.model);
        if (!entry) detectInline.set(a.model, (entry = { all: null, keys: new Map() }));
        if (a.keyId === undefined) entry.all = applied.id;
        else entry.keys.set(a.keyId, applied.id);
        break;
      }
    }
  }
  return {
    version,
    keys,
    rateLimits,
    modelRateLimits,
    endpointRateLimits,
    isolated,
    pinned,
    deployed,
    hardened,
    keyHardened,
    watermarked,
    inputRules,
    detectInline,
  };
}

/** Whether one feature row matches an input rule; `rowDigest` is computed only when needed. */
export function inputRuleMatches(
  rule: InputRule,
  row: readonly number[],
  rowDigest: () => string,
): boolean {
  if (rule.type === 'row_digest') return rule.digests.includes(rowDigest());
  const value = row[rule.feature];
  if (value === undefined) return false;
  const inside =
    (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
  return rule.match === 'inside' ? inside : !inside;
}
