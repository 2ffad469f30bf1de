/**
 * Notification deadlines that regulations set after an incident, started at the moment the
 * organisation became aware of it (for SEC 8-K, determined it material). The one table shared
 * by reports (deadline clocks, src/report) and tabletop packs (the decisions each role owes).
 * The periods are the regulations' own; what "aware" means is a legal judgement left to the
 * responder, so every clock names the text it follows.
 */
export const REGULATION_TAGS = ['gdpr', 'eu-ai-act', 'nis2', 'sec-8k', 'hipaa'] as const;
export type RegulationTag = (typeof REGULATION_TAGS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What decides whether a conditional duty is armed, read from the incident's asset. */
export interface ClockContext {
  criticality: string;
  tags: readonly string[];
}

/** One notification duty: who to tell, by when, and when the duty applies. */
export interface RegulatoryClock {
  readonly id: string;
  readonly regulation: RegulationTag;
  readonly article: string;
  /** Who must be told. */
  readonly recipient: string;
  /** A fixed period, or null: "without undue delay" (or business days, below). */
  readonly periodMs: number | null;
  /** Business days (Mon–Fri, public holidays not counted) instead of a period. */
  readonly businessDays?: number;
  /** Calendar months added after the period (NIS2 final report). */
  readonly months?: number;
  /** When the duty applies; absent: always for this regulation. */
  readonly condition?: string;
  /** Whether the condition can be read from the asset (else shown, not armed). */
  readonly applies: (context: ClockContext) => boolean;
}

const always = () => true;

export const REGULATORY_CLOCKS: readonly RegulatoryClock[] = [
  {
    id: 'gdpr-art33',
    regulation: 'gdpr',
    article: 'GDPR Art. 33(1)',
    recipient: 'supervisory authority',
    periodMs: 72 * HOUR,
    applies: always,
  },
  {
    id: 'gdpr-art34',
    regulation: 'gdpr',
    article: 'GDPR Art. 34(1)',
    recipient: 'data subjects',
    periodMs: null,
    condition: 'when the breach is likely to result in a high risk to their rights and freedoms',
    applies: always,
  },
  {
    id: 'ai-act-art73-general',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(2)',
    recipient: 'market surveillance authority',
    periodMs: 15 * DAY,
    applies: always,
  },
  {
    id: 'ai-act-art73-widespread',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(3)',
    recipient: 'market surveillance authority',
    periodMs: 2 * DAY,
    condition: 'widespread infringement, or serious disruption of critical infrastructure',
    applies: (c) => c.criticality === 'critical' || c.tags.includes('critical-infrastructure'),
  },
  {
    id: 'ai-act-art73-death',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(4)',
    recipient: 'market surveillance authority',
    periodMs: 10 * DAY,
    condition: 'the death of a person',
    applies: () => false,
  },
  {
    id: 'nis2-early-warning',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(a)',
    recipient: 'CSIRT or competent authority',
    periodMs: 24 * HOUR,
    applies: always,
  },
  {
    id: 'nis2-notification',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(b)',
    recipient: 'CSIRT or competent authority',
    periodMs: 72 * HOUR,
    applies: always,
  },
  {
    id: 'nis2-final-report',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(e)',
    recipient: 'CSIRT or competent authority',
    periodMs: 72 * HOUR,
    months: 1,
    condition: 'one month after the incident notification (counted from its 72 h deadline)',
    applies: always,
  },
  {
    id: 'sec-8k-item105',
    regulation: 'sec-8k',
    article: 'SEC Form 8-K Item 1.05',
    recipient: 'investors (SEC filing)',
    periodMs: null,
    businessDays: 4,
    condition:
      'four business days after the incident is determined material (started here at awareness)',
    applies: always,
  },
  {
    id: 'hipaa-breach',
    regulation: 'hipaa',
    article: 'HIPAA 45 CFR §164.404',
    recipient: 'affected individuals (and HHS)',
    periodMs: 60 * DAY,
    applies: always,
  },
];

/** The clocks that apply to a model tagged with these regulations. */
export function clocksFor(tags: readonly string[]): RegulatoryClock[] {
  return REGULATORY_CLOCKS.filter((c) => tags.includes(c.regulation));
}

function addBusinessDays(startMs: number, days: number): number {
  const d = new Date(startMs);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return d.getTime();
}

/** The deadline of a clock started at `startMs`; null: "without undue delay", no fixed limit. */
export function clockDeadline(clock: RegulatoryClock, startMs: number): number | null {
  let end: number | null = null;
  if (clock.businessDays !== undefined) end = addBusinessDays(startMs, clock.businessDays);
  else if (clock.periodMs !== null) end = startMs + clock.periodMs;
  if (end !== null && clock.months !== undefined) {
    const d = new Date(end);
    d.setUTCMonth(d.getUTCMonth() + clock.months);
    end = d.getTime();
  }
  return end;
}

/** "72 h", "15 days", "4 business days": how a person says the limit. */
export function describeDue(clock: RegulatoryClock): string {
  if (clock.businessDays !== undefined) return `${clock.businessDays} business days`;
  if (clock.periodMs === null) return 'without undue delay';
  const h = clock.periodMs / HOUR;
  const period = h <= 72 ? `${h} h` : `${h / 24} days`;
  return clock.months !== undefined ? `${clock.months} month after ${period}` : period;
}
