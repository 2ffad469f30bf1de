import { z } from 'zod';

export const GATEWAY_PROTOCOLS = ['kserve-v2', 'tf-serving', 'generic-json'] as const;
export type GatewayProtocol = (typeof GATEWAY_PROTOCOLS)[number];

/** How a request ended, from the gateway's point of view. */
export const INFERENCE_OUTCOMES = ['ok', 'rejected', 'upstream_error', 'fallback'] as const;
export type InferenceOutcome = (typeof INFERENCE_OUTCOMES)[number];

/**
 * What the privacy policies (issue 19, docs/privacy.md) left of the fields they touched. A
 * cell is a number (kept or generalised), `hmac:<hex>` (keyed hash), `dropped` or `sealed`
 * (its clear value is in `sealed`, AES-256-GCM under the subject's data key).
 */
export const RecordedPrivacySchema = z
  .object({
    v: z.literal(1),
    policy: z.string(), // digest of the model's privacy block that was applied
    features: z.array(z.array(z.union([z.number(), z.string()]))).optional(),
    outputs: z.array(z.unknown()).optional(),
    request: z.record(z.string(), z.unknown()).optional(),
    dropped: z.string().optional(), // sha256 of the dropped originals (canonical JSON)
    sealed: z
      .object({ key: z.string(), iv: z.string(), ct: z.string(), tag: z.string() })
      .strict()
      .optional(),
  })
  .strict();
export type RecordedPrivacy = z.infer<typeof RecordedPrivacySchema>;

/**
 * One request through the gateway, accepted or not. `features` holds the rows the model was
 * (or would have been) asked about; `outputs` one entry per row (scores, probabilities or a
 * label), both null when the request never got that far.
 */
export const InferenceEventSchema = z
  .object({
    id: z.string(),
    time: z.string(), // ISO 8601 with milliseconds, UTC; detectors use this, never the wall clock
    requestId: z.string(),
    model: z.string(),
    modelVersion: z.string().nullable(),
    artifactDigest: z.string().nullable(),
    protocol: z.enum(GATEWAY_PROTOCOLS),
    principal: z.string().nullable(),
    keyId: z.string().nullable(),
    sourceAddress: z.string(),
    features: z.array(z.array(z.number())).nullable(),
    outputs: z.array(z.unknown()).nullable(),
    status: z.number().int(),
    outcome: z.enum(INFERENCE_OUTCOMES),
    errorCode: z.string().nullable(),
    policyAction: z.string().nullable(), // the containment action that shaped the answer, if any
    latencyMs: z.number(),
    // The data subject the request was about (`models[].subject`), only when configured.
    subject: z.string().optional(),
    // Request fields the model's privacy block names (clear, in memory only; never recorded).
    requestFields: z.record(z.string(), z.unknown()).optional(),
    // Set on the recorded copy when a privacy block applied (issue 19).
    privacy: RecordedPrivacySchema.optional(),
  })
  .strict();
export type InferenceEvent = z.infer<typeof InferenceEventSchema>;
