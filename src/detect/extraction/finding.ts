import { ATLAS, OWASP } from '../../core/index.js';
import type { InferenceEvent, Severity } from '../../core/index.js';
import type { Finding } from '../detector.js';

export { ATLAS, OWASP }; // re-exported for the detector's callers

export const FINDING_KINDS = ['extraction', 'evasion', 'anomaly'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

const MAPPING: Record<FindingKind, { atlas: string[]; owasp: string[] }> = {
  extraction: { atlas: [ATLAS.extractModel, ATLAS.inferenceApiAccess], owasp: [OWASP.modelTheft] },
  evasion: {
    atlas: [ATLAS.craftAdversarialData, ATLAS.blackBoxOptimization],
    owasp: [OWASP.inputManipulation],
  },
  anomaly: { atlas: [ATLAS.craftAdversarialData], owasp: [OWASP.inputManipulation] },
};

export interface FindingInput {
  readonly detector: string;
  readonly kind: FindingKind;
  readonly event: InferenceEvent;
  readonly subject: string;
  readonly severity: Severity;
  readonly confidence: number;
  readonly title: string;
  readonly evidence: Record<string, unknown>;
  readonly eventIds: readonly string[];
}

export function makeFinding(input: FindingInput): Finding {
  const { event } = input;
  const mapping = MAPPING[input.kind];
  // A finding about a whole source network blames no caller: the event that tipped it may be
  // a bystander's. The network is its `evidence.subject`.
  const perNetwork = input.detector.startsWith('extraction.network');
  return {
    time: event.time,
    detector: input.detector,
    kind: input.kind,
    model: event.model,
    principal: perNetwork ? null : (event.principal ?? event.keyId),
    sourceAddress: event.sourceAddress,
    severity: input.severity,
    confidence: Math.min(1, Math.max(0, input.confidence)),
    title: input.title,
    atlasTechniques: [...mapping.atlas],
    owasp: [...mapping.owasp],
    // The key lets playbooks contain the caller (rate_limit, suspend_key).
    evidence: {
      subject: input.subject,
      ...(perNetwork ? {} : { keyId: event.keyId }),
      ...input.evidence,
    },
    eventIds: [...input.eventIds],
  };
}
