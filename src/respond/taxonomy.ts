import atlasData from './data/atlas-techniques.json' with { type: 'json' };
import owaspData from './data/owasp.json' with { type: 'json' };
import type { ImpactType } from './incident.js';

interface OwaspItem {
  id: string;
  title: string;
  related_atlas: string[];
}

const techniques = atlasData.techniques as Record<string, { name: string; tactics: string[] }>;
const owaspItems: OwaspItem[] = [
  ...owaspData.owasp_ml_security_top10.items,
  ...owaspData.owasp_llm_top10.items,
];

/** The ATLAS technique's name and tactics, or undefined for an unknown id. */
export function atlasTechnique(id: string): { name: string; tactics: string[] } | undefined {
  return techniques[id];
}

/** The OWASP ML/LLM Top 10 item's title, or undefined for an unknown id. */
export function owaspTitle(id: string): string | undefined {
  return owaspItems.find((i) => i.id === id)?.title;
}

/** OWASP ids whose related ATLAS techniques include one of these (or their parent). */
export function owaspForTechniques(ids: readonly string[]): string[] {
  const wanted = new Set(ids.flatMap((id) => [id, id.split('.').slice(0, 2).join('.')]));
  return owaspItems
    .filter((i) => i.id.startsWith('ML') && i.related_atlas.some((a) => wanted.has(a)))
    .map((i) => i.id);
}

interface KindProfile {
  category: string;
  impactType: ImpactType;
}

// Alert kinds the detectors emit, mapped to an incident category and the CIA property hurt.
const KINDS: Record<string, KindProfile> = {
  extraction: { category: 'model-theft', impactType: 'confidentiality' },
  inversion: { category: 'privacy', impactType: 'confidentiality' },
  membership: { category: 'privacy', impactType: 'confidentiality' },
  evasion: { category: 'adversarial-evasion', impactType: 'integrity' },
  drift: { category: 'data-poisoning', impactType: 'integrity' },
  performance: { category: 'data-poisoning', impactType: 'integrity' },
  // Outcomes that differ by group (labels posted with a `group`): assessed, not contained.
  fairness: { category: 'fairness', impactType: 'integrity' },
  poisoning: { category: 'data-poisoning', impactType: 'integrity' },
  integrity: { category: 'model-tampering', impactType: 'integrity' },
  tampering: { category: 'model-tampering', impactType: 'integrity' },
  malicious_file: { category: 'supply-chain', impactType: 'integrity' },
  scan: { category: 'supply-chain', impactType: 'integrity' },
  dos: { category: 'denial-of-service', impactType: 'availability' },
  cost: { category: 'denial-of-service', impactType: 'availability' },
  // A query to a decoy model that no honest client knows of.
  decoy: { category: 'model-theft', impactType: 'confidentiality' },
  // Off-distribution or off-schema queries: the probing behind extraction and evasion.
  anomaly: { category: 'suspicious-queries', impactType: 'integrity' },
};

/** Every alert kind a detector or intake emits (what a playbook trigger may name). */
export const KNOWN_ALERT_KINDS: readonly string[] = Object.keys(KINDS);

/** The incident category and impact type for an alert kind (`other`/integrity if unknown). */
export function profileForKind(kind: string): KindProfile {
  return KINDS[kind] ?? { category: 'other', impactType: 'integrity' };
}
