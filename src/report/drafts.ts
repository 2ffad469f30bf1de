import type { DeadlineClock } from './clocks.js';
import { duration, type Review } from './review.js';

/** A notification draft for one armed clock, filled from the incident for a person to finish. */
export interface NotificationDraft {
  clockId: string;
  article: string;
  audience: string;
  deadline: string | null;
  text: string;
}

function facts(r: Review): string[] {
  const a = r.affected;
  return [
    `What happened: ${r.incident.title} (${r.incident.category}; ${r.incident.kinds.join(', ')}) on ${r.incident.assets.join(', ')}.`,
    `When: first seen ${r.incident.firstSeen}, last seen ${r.incident.lastSeen}; we became aware at ${r.awareAt}.`,
    a.decisions > 0
      ? `Approximate numbers: ${a.decisions} automated decisions made by the affected model version, of which ${a.flips} would have been different on the known-good version; about ${a.subjects} data subjects and ${a.principals} client organisations.`
      : 'Approximate numbers: impact analysis has not been run yet (aisoc impact --incident).',
    `Categories of data subjects and records: those served by ${r.incident.assets.join(', ')} (decisions and their inputs).`,
    `Likely consequences: decisions made by the affected version may be wrong for the people concerned; ${r.incident.severity.reasons.join('; ')}.`,
    `Measures taken: ${r.actions.map((x) => `${x.action.kind} at ${x.appliedAt}${x.liftedAt ? ` (lifted ${x.liftedAt})` : ''}`).join('; ') || 'none recorded yet'}. Time to contain: ${duration(r.metrics.ttcMs)}.`,
    `Contact: ${r.contact}.`,
  ];
}

/** One draft per armed clock; clocks not armed (their condition unknown) get none. */
export function notificationDrafts(r: Review): NotificationDraft[] {
  return r.clocks
    .filter((c: DeadlineClock) => c.armed)
    .map((c) => ({
      clockId: c.id,
      article: c.article,
      audience: c.audience,
      deadline: c.deadline,
      text: [
        `DRAFT: notification under ${c.article} to the ${c.audience}, incident ${r.incident.id}.`,
        c.deadline
          ? `Due by ${c.deadline}.`
          : `Due without undue delay${c.condition ? ` (${c.condition})` : ''}.`,
        ...facts(r),
      ].join('\n'),
    }));
}
