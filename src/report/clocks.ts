// Notification deadlines by regulation, each started at the incident's awareness time. The
// periods are the regulations' own; what "aware" means is a legal judgement the report
// leaves to the responder, so every clock names the text it follows.

export const REGULATIONS = ['gdpr', 'eu-ai-act', 'nis2', 'sec-8k', 'hipaa'] as const;
export type Regulation = (typeof REGULATIONS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One notification duty: who to tell, by when, and when the duty applies. */
export interface ClockRule {
  id: string;
  regulation: Regulation;
  article: string;
  audience: string;
  /** A fixed period, `businessDays` (Mon–Fri, public holidays not counted), or null: "without undue delay". */
  periodMs: number | null;
  businessDays?: number;
  /** Calendar months after the start (NIS2 final report). */
  months?: number;
  /** When the duty applies; absent: always for this regulation. */
  condition?: string;
  /** Whether the condition can be read from the incident and asset (else shown, not armed). */
  applies: (context: ClockContext) => boolean;
}

export interface ClockContext {
  criticality: string;
  tags: readonly string[];
}

const always = () => true;

export const CLOCK_RULES: readonly ClockRule[] = [
  {
    id: 'gdpr-art33',
    regulation: 'gdpr',
    article: 'GDPR Art. 33(1)',
    audience: 'supervisory authority',
    periodMs: 72 * HOUR,
    applies: always,
  },
  {
    id: 'gdpr-art34',
    regulation: 'gdpr',
    article: 'GDPR Art. 34(1)',
    audience: 'data subjects',
    periodMs: null,
    condition: 'when the breach is likely to result in a high risk to their rights and freedoms',
    applies: always,
  },
  {
    id: 'ai-act-art73-general',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(2)',
    audience: 'market surveillance authority',
    periodMs: 15 * DAY,
    applies: always,
  },
  {
    id: 'ai-act-art73-widespread',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(3)',
    audience: 'market surveillance authority',
    periodMs: 2 * DAY,
    condition: 'widespread infringement, or serious disruption of critical infrastructure',
    applies: (c) => c.criticality === 'critical' || c.tags.includes('critical-infrastructure'),
  },
  {
    id: 'ai-act-art73-death',
    regulation: 'eu-ai-act',
    article: 'EU AI Act Art. 73(4)',
    audience: 'market surveillance authority',
    periodMs: 10 * DAY,
    condition: 'the death of a person',
    applies: () => false,
  },
  {
    id: 'nis2-early-warning',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(a)',
    audience: 'CSIRT or competent authority',
    periodMs: 24 * HOUR,
    applies: always,
  },
  {
    id: 'nis2-notification',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(b)',
    audience: 'CSIRT or competent authority',
    periodMs: 72 * HOUR,
    applies: always,
  },
  {
    id: 'nis2-final-report',
    regulation: 'nis2',
    article: 'NIS2 Art. 23(4)(e)',
    audience: 'CSIRT or competent authority',
    periodMs: 72 * HOUR,
    months: 1,
    condition: 'one month after the incident notification (counted from its 72 h deadline)',
    applies: always,
  },
  {
    id: 'sec-8k-item105',
    regulation: 'sec-8k',
    article: 'SEC Form 8-K Item 1.05',
    audience: 'investors (SEC filing)',
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
    audience: 'affected individuals (and HHS)',
    periodMs: 60 * DAY,
    applies: always,
  },
];

/** A clock of one incident: its deadline and how much of its time is left at `now`. */
export interface DeadlineClock {
  id: string;
  regulation: Regulation;
  article: string;
  audience: string;
  condition: string | null;
  armed: boolean;
  startedAt: string;
  deadline: string | null;
  leftMs: number | null;
  /** Share of the period left, 0..1 (0 once overdue); null without a deadline. */
  shareLeft: number | null;
  status: 'running' | 'at_risk' | 'overdue' | 'no_deadline' | 'not_armed';
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

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** The regulation tags a model carries that aisoc knows; unknown tags are ignored. */
export function knownRegulations(tags: readonly string[]): Regulation[] {
  return REGULATIONS.filter((r) => tags.includes(r));
}

/**
 * The clocks of an incident under the given regulations, started at `awareAt`. A clock is
 * `at_risk` when less than 25 % of its period is left, `overdue` after its deadline.
 */
export function deadlineClocks(
  regulations: readonly string[],
  awareAt: string,
  context: ClockContext,
  now: number,
): DeadlineClock[] {
  const start = Date.parse(awareAt);
  return CLOCK_RULES.filter((r) => regulations.includes(r.regulation)).map((rule) => {
    let end: number | null = null;
    if (rule.businessDays !== undefined) end = addBusinessDays(start, rule.businessDays);
    else if (rule.periodMs !== null) end = start + rule.periodMs;
    if (end !== null && rule.months !== undefined) end = addMonths(end, rule.months);
    const armed = rule.applies(context);
    const leftMs = end === null ? null : end - now;
    const shareLeft = end === null ? null : Math.max(0, Math.min(1, (end - now) / (end - start)));
    const status: DeadlineClock['status'] = !armed
      ? 'not_armed'
      : end === null
        ? 'no_deadline'
        : leftMs! <= 0
          ? 'overdue'
          : shareLeft! < 0.25
            ? 'at_risk'
            : 'running';
    return {
      id: rule.id,
      regulation: rule.regulation,
      article: rule.article,
      audience: rule.audience,
      condition: rule.condition ?? null,
      armed,
      startedAt: new Date(start).toISOString(),
      deadline: end === null ? null : new Date(end).toISOString(),
      leftMs,
      shareLeft,
      status,
    };
  });
}
