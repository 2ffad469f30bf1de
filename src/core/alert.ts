import { z } from 'zod';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What detectors emit: one finding about a model, principal or data set, with its evidence. */
export const AlertSchema = z
  .object({
    id: z.string(),
    time: z.string(), // event time of the observation that raised it
    detector: z.string(), // e.g. 'prada', 'drift.psi'
    kind: z.string(), // e.g. 'extraction', 'evasion', 'drift', 'performance', 'integrity'
    model: z.string().nullable(),
    principal: z.string().nullable(),
    sourceAddress: z.string().nullable(),
    severity: z.enum(SEVERITIES),
    confidence: z.number().min(0).max(1),
    title: z.string(),
    atlasTechniques: z.array(z.string()), // MITRE ATLAS ids, e.g. AML.T0024.002
    owasp: z.array(z.string()), // OWASP ML/LLM Top 10 ids, e.g. ML05:2023
    evidence: z.record(z.string(), z.unknown()),
    eventIds: z.array(z.string()),
  })
  .strict();
export type Alert = z.infer<typeof AlertSchema>;
