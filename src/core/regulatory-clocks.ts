/**
 * Notification deadlines that regulations set after an incident, started at the moment the
 * organisation became aware of it (or, for SEC 8-K, determined it material). The table is
 * data shared by reports (deadline clocks) and tabletop packs (the decisions each role owes).
 */
export const REGULATION_TAGS = ['gdpr', 'eu-ai-act', 'nis2', 'sec', 'hipaa'] as const;
export type RegulationTag = (typeof REGULATION_TAGS)[number];

export interface RegulatoryClock {
  readonly id: string;
  readonly regulation: RegulationTag;
  /** Who must be told. */
  readonly recipient: string;
  readonly article: string;
  /** Calendar duration; business days are counted Monday to Friday. */
  readonly due: { readonly hours: number } | { readonly businessDays: number };
  /** When the clock applies, where not to every incident of a tagged model. */
  readonly condition?: string;
}

export const REGULATORY_CLOCKS: readonly RegulatoryClock[] = [
  {
    id: 'gdpr-art33',
    regulation: 'gdpr',
    recipient: 'supervisory authority',
    article: 'GDPR Art. 33',
    due: { hours: 72 },
    condition: 'a personal data breach',
  },
  {
    id: 'gdpr-art34',
    regulation: 'gdpr',
    recipient: 'data subjects',
    article: 'GDPR Art. 34',
    // "Without undue delay": no fixed limit; the supervisory deadline is the outer bound used.
    due: { hours: 72 },
    condition: 'a high risk to the rights and freedoms of the people affected',
  },
  {
    id: 'ai-act-art73',
    regulation: 'eu-ai-act',
    recipient: 'market surveillance authority',
    article: 'EU AI Act Art. 73(2)',
    due: { hours: 15 * 24 },
    condition: 'a serious incident of a high-risk AI system',
  },
  {
    id: 'ai-act-art73-widespread',
    regulation: 'eu-ai-act',
    recipient: 'market surveillance authority',
    article: 'EU AI Act Art. 73(3)',
    due: { hours: 2 * 24 },
    condition: 'a widespread infringement or a serious disruption of critical infrastructure',
  },
  {
    id: 'ai-act-art73-death',
    regulation: 'eu-ai-act',
    recipient: 'market surveillance authority',
    article: 'EU AI Act Art. 73(4)',
    due: { hours: 10 * 24 },
    condition: 'the death of a person',
  },
  {
    id: 'nis2-early-warning',
    regulation: 'nis2',
    recipient: 'CSIRT or competent authority',
    article: 'NIS2 Art. 23(4)(a)',
    due: { hours: 24 },
    condition: 'a significant incident',
  },
  {
    id: 'nis2-notification',
    regulation: 'nis2',
    recipient: 'CSIRT or competent authority',
    article: 'NIS2 Art. 23(4)(b)',
    due: { hours: 72 },
    condition: 'a significant incident',
  },
  {
    id: 'nis2-final-report',
    regulation: 'nis2',
    recipient: 'CSIRT or competent authority',
    article: 'NIS2 Art. 23(4)(d)',
    due: { hours: 30 * 24 },
    condition: 'a significant incident',
  },
  {
    id: 'sec-8k-105',
    regulation: 'sec',
    recipient: 'SEC (Form 8-K Item 1.05)',
    article: 'Form 8-K Item 1.05',
    due: { businessDays: 4 },
    condition: 'a cybersecurity incident determined to be material',
  },
  {
    id: 'hipaa-breach',
    regulation: 'hipaa',
    recipient: 'affected individuals (and HHS; media above 500 residents of a state)',
    article: 'HIPAA 45 CFR 164.404',
    due: { hours: 60 * 24 },
    condition: 'a breach of unsecured protected health information',
  },
];

/** The clocks that apply to a model tagged with these regulations. */
export function clocksFor(tags: readonly string[]): RegulatoryClock[] {
  return REGULATORY_CLOCKS.filter((c) => tags.includes(c.regulation));
}

/** The deadline of a clock started at `startMs`. */
export function clockDeadline(clock: RegulatoryClock, startMs: number): number {
  if ('hours' in clock.due) return startMs + clock.due.hours * 3_600_000;
  let t = startMs;
  let left = clock.due.businessDays;
  while (left > 0) {
    t += 86_400_000;
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) left -= 1;
  }
  return t;
}

/** "72 h", "15 days", "4 business days": how a person says the limit. */
export function describeDue(clock: RegulatoryClock): string {
  if ('businessDays' in clock.due) return `${clock.due.businessDays} business days`;
  const h = clock.due.hours;
  return h <= 72 ? `${h} h` : `${h / 24} days`;
}
