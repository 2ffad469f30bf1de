import { z } from 'zod';

// Field policies (issue 19, docs/privacy.md). A model's `privacy` block says, for each feature,
// output and request field, what the record keeps. Applied before the event reaches the
// ledger, the store or a NATS bus; in-process detectors still see the clear values.

export const FIELD_POLICIES = ['keep', 'drop', 'hash', 'generalise', 'encrypt'] as const;
export type FieldPolicyName = (typeof FIELD_POLICIES)[number];

const Personal = { personal: z.boolean().default(false) };

// Each rule is one strict object per policy, with the key that locates the field (if any).
function ruleSchema<T extends z.ZodRawShape>(locator: T) {
  const generalise = z
    .object({
      ...locator,
      policy: z.literal('generalise'),
      ...Personal,
      step: z.number().positive().optional(), // numbers: floor to a multiple (age 47 → 40)
      digits: z.number().int().min(0).max(12).optional(), // numbers: round to decimal places
      date: z.enum(['year', 'month', 'day']).optional(), // ISO dates: truncate
      zipDigits: z.number().int().min(0).max(10).optional(), // ZIP codes: keep the first N
    })
    .strict()
    .refine(
      (g: Record<string, unknown>) =>
        [g.step, g.digits, g.date, g.zipDigits].filter((x) => x !== undefined).length === 1,
      { message: 'generalise needs exactly one of step, digits, date, zipDigits' },
    );
  const simple = z
    .object({ ...locator, policy: z.enum(['keep', 'drop', 'hash', 'encrypt']), ...Personal })
    .strict();
  return z.union([simple, generalise]);
}

/** One field's policy. */
export const FieldRuleSchema = ruleSchema({});
export type FieldRule = z.infer<typeof FieldRuleSchema>;
const FeatureRuleSchema = ruleSchema({
  feature: z.union([z.number().int().min(0), z.string().min(1)]),
});
const RequestRuleSchema = ruleSchema({
  pointer: z.string().regex(/^\/.*/, 'a JSON pointer starting with "/"'),
});

/** `models[].privacy`. */
export const ModelPrivacySchema = z
  .object({
    // Names of the feature columns in order, so that rules may name them.
    featureNames: z.array(z.string().min(1)).optional(),
    // The policy of every feature no rule names.
    defaultFeature: FieldRuleSchema.default({ policy: 'keep', personal: false }),
    features: z.array(FeatureRuleSchema).default([]),
    outputs: FieldRuleSchema.default({ policy: 'keep', personal: false }),
    // Request fields recorded beside the features (nothing else of the body is recorded).
    request: z.array(RequestRuleSchema).default([]),
    // How the subject id (`models[].subject`) is recorded: a keyed pseudonym by default.
    subjectPolicy: z.enum(['pseudonym', 'keep']).default('pseudonym'),
    // A `restricted` model starts with `keep` on a personal field only with this reason.
    acknowledgeKeep: z.string().min(10).optional(),
  })
  .strict();
export type ModelPrivacyConfig = z.infer<typeof ModelPrivacySchema>;

/** Top-level `privacy`: where the keys live. */
export const PrivacySchema = z
  .object({
    hmacKeyFile: z.string().min(1).optional(), // default: <dataDir>/privacy-hmac.key
    kekFile: z.string().min(1).optional(), // default: <dataDir>/privacy-kek.key
    // How long a process keeps an unwrapped data key in memory (other processes see an
    // erasure at the latest after this).
    keyCacheMs: z.number().int().min(0).max(3_600_000).default(60_000),
  })
  .strict();

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Problems of one model's privacy block beside its schema (names, restricted + keep). */
export function modelPrivacyIssues(model: {
  featureCount?: number | undefined;
  dataSensitivity: string;
  subject?: string | undefined;
  privacy?: ModelPrivacyConfig | undefined;
}): Issue[] {
  const p = model.privacy;
  if (!p) return [];
  const issues: Issue[] = [];
  const names = p.featureNames ?? [];
  p.features.forEach((rule, i) => {
    if (typeof rule.feature === 'string' && !names.includes(rule.feature))
      issues.push({
        path: ['privacy', 'features', i, 'feature'],
        message: `"${rule.feature}" is not one of privacy.featureNames`,
      });
    if (
      typeof rule.feature === 'number' &&
      model.featureCount !== undefined &&
      rule.feature >= model.featureCount
    )
      issues.push({
        path: ['privacy', 'features', i, 'feature'],
        message: `index ${rule.feature} is past featureCount ${model.featureCount}`,
      });
    if (rule.policy === 'generalise' && (rule.date !== undefined || rule.zipDigits !== undefined))
      issues.push({
        path: ['privacy', 'features', i],
        message: 'features are numbers: generalise them with step or digits',
      });
  });
  if (model.dataSensitivity === 'restricted' && p.acknowledgeKeep === undefined) {
    const kept: string[] = [];
    if (p.defaultFeature.policy === 'keep' && p.defaultFeature.personal)
      kept.push('defaultFeature');
    p.features.forEach((r) => {
      if (r.policy === 'keep' && r.personal) kept.push(`feature ${String(r.feature)}`);
    });
    if (p.outputs.policy === 'keep' && p.outputs.personal) kept.push('outputs');
    p.request.forEach((r) => {
      if (r.policy === 'keep' && r.personal) kept.push(`request ${r.pointer}`);
    });
    if (p.subjectPolicy === 'keep' && model.subject !== undefined) kept.push('the subject id');
    if (kept.length > 0)
      issues.push({
        path: ['privacy', 'acknowledgeKeep'],
        message: `dataSensitivity is restricted and ${kept.join(', ')} would be kept in clear; choose drop, hash, generalise or encrypt, or give acknowledgeKeep with the reason`,
      });
  }
  return issues;
}
