// Deadline clocks of one incident, from the one table of notification duties in src/core.
import {
  clockDeadline,
  REGULATION_TAGS,
  REGULATORY_CLOCKS,
  type ClockContext,
  type RegulationTag,
  type RegulatoryClock,
} from '../core/index.js';

export const REGULATIONS = REGULATION_TAGS;
export type Regulation = RegulationTag;
export type ClockRule = RegulatoryClock;
export type { ClockContext };
export const CLOCK_RULES = REGULATORY_CLOCKS;

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
    const end = clockDeadline(rule, start);
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
      audience: rule.recipient,
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
