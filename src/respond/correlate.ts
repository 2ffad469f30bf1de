import type { Alert } from '../core/index.js';
import { alertSubject, describeSubject } from './subject.js';

export const CORRELATION_KEYS = ['model', 'principal', 'source', 'technique'] as const;
export type CorrelationKey = (typeof CORRELATION_KEYS)[number];

export interface CorrelationOptions {
  /** An alert joins an open incident seen within this window (ms, event time). */
  windowMs: number;
  /** The same detector, kind, model and subject within this window is a duplicate. */
  dedupWindowMs: number;
  /**
   * No longer narrows or widens anything: an alert joins only an incident about the same
   * subject, model and technique family (issue 21). Kept so older configs still load.
   */
  on?: readonly CorrelationKey[];
  /**
   * An alert no open incident takes re-opens a closed incident about the same subject, model
   * and technique family closed within this window of the alert's event time (ms). Default
   * 24 h; 0 never.
   */
  reopenWindowMs?: number;
  /** At most this many campaign links on a new incident (the most recent). Default 10. */
  maxCampaignLinks?: number;
}

export const DEFAULT_REOPEN_WINDOW_MS = 24 * 3_600_000;

export const DEFAULT_CORRELATION: CorrelationOptions = {
  windowMs: 30 * 60_000,
  dedupWindowMs: 60_000,
  reopenWindowMs: DEFAULT_REOPEN_WINDOW_MS,
};

/** What correlation needs to know about an open incident. */
export interface CorrelationCandidate {
  id: string;
  assets: readonly string[];
  principals: readonly string[];
  sources: readonly string[];
  /** Absent on incidents stored before subjects: such an incident takes no new alert. */
  subjects?: readonly string[];
  kinds?: readonly string[];
  atlasTechniques: readonly string[];
  lastSeen: string;
  /** Recent alerts' dedup keys with their event times. */
  recent: readonly { key: string; time: string }[];
  alertIds: readonly string[];
}

/** What re-opening needs to know about a closed (not merged) incident. */
export interface ClosedCandidate {
  id: string;
  assets: readonly string[];
  principals: readonly string[];
  subjects?: readonly string[];
  kinds?: readonly string[];
  /** When it was closed (ISO time). */
  closedAt: string;
}

/** A related incident: the same subject elsewhere, or a campaign across subjects. */
export interface IncidentLink {
  incidentId: string;
  reason: string;
  /** `subject`: the same subject on another model or technique family; `campaign`: the same model and technique family from another subject. Absent on older links (subject). */
  kind?: 'subject' | 'campaign';
}

export type CorrelationDecision =
  | { kind: 'duplicate'; incidentId: string; reason: string }
  | { kind: 'attach'; incidentId: string; reason: string }
  | { kind: 'reopen'; incidentId: string; reason: string }
  | { kind: 'new'; reason: string; links: IncidentLink[] };

/** The key under which two alerts are the same finding repeated. */
export function dedupKey(alert: Alert): string {
  return [alert.detector, alert.kind, alert.model ?? '-', alertSubject(alert)].join('|');
}

type Candidate = Pick<CorrelationCandidate, 'assets' | 'subjects' | 'kinds'>;

const sameModel = (alert: Alert, c: Candidate) =>
  alert.model === null ? c.assets.length === 0 : c.assets.includes(alert.model);
const sameSubject = (subject: string, c: Candidate) => c.subjects?.includes(subject) ?? false;
const sameFamily = (alert: Alert, c: Candidate) => c.kinds?.includes(alert.kind) ?? false;

/**
 * Decides where an alert goes: a duplicate of a recent one; into the most recently active
 * open incident about the same subject, model and technique family (alert kind); back into
 * such an incident closed recently; or a new incident. Alerts about different subjects never
 * share an incident, so lifting or disposing of one never frees another. A new incident is
 * linked, explicitly, to open incidents about the same subject elsewhere and to the campaign:
 * other subjects' incidents of the same model and technique family in the window. Pure; uses
 * event time only, so replay agrees.
 */
export function correlateAlert(
  alert: Alert,
  open: readonly CorrelationCandidate[],
  options: CorrelationOptions = DEFAULT_CORRELATION,
  closed: readonly ClosedCandidate[] = [],
): CorrelationDecision {
  const t = Date.parse(alert.time);
  const key = dedupKey(alert);
  const subject = alertSubject(alert);
  const who = describeSubject(subject);
  for (const c of open) {
    if (c.alertIds.includes(alert.id))
      return { kind: 'duplicate', incidentId: c.id, reason: `alert ${alert.id} already seen` };
    const twin = c.recent.find(
      (r) => r.key === key && Math.abs(t - Date.parse(r.time)) <= options.dedupWindowMs,
    );
    if (twin)
      return {
        kind: 'duplicate',
        incidentId: c.id,
        reason: `repeat of ${key} within ${options.dedupWindowMs} ms`,
      };
  }
  const inWindow = open
    .filter((c) => Math.abs(t - Date.parse(c.lastSeen)) <= options.windowMs)
    .sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
  const best = inWindow.find(
    (c) => sameSubject(subject, c) && sameModel(alert, c) && sameFamily(alert, c),
  );
  if (best)
    return {
      kind: 'attach',
      incidentId: best.id,
      reason: `same ${who}, ${alert.kind} on ${alert.model ?? 'no model'}`,
    };
  const reopen = reopenable(alert, subject, closed, options.reopenWindowMs);
  if (reopen) return { kind: 'reopen', incidentId: reopen.id, reason: reopen.reason };
  const links: IncidentLink[] = inWindow
    .filter((c) => sameSubject(subject, c))
    .map((c) => ({
      incidentId: c.id,
      kind: 'subject' as const,
      reason: `same ${who} (${sameModel(alert, c) ? 'another technique family' : 'another model'})`,
    }));
  const campaign = inWindow
    .filter(
      (c) =>
        !sameSubject(subject, c) &&
        alert.model !== null &&
        sameModel(alert, c) &&
        sameFamily(alert, c),
    )
    .slice(0, options.maxCampaignLinks ?? 10)
    .map((c) => ({
      incidentId: c.id,
      kind: 'campaign' as const,
      reason: `campaign: ${alert.kind} on ${alert.model} from another subject within ${options.windowMs} ms`,
    }));
  return {
    kind: 'new',
    reason: `no open incident about ${who} and ${alert.kind} on ${alert.model ?? 'no model'} in the window`,
    links: [...links, ...campaign],
  };
}

/** The most recently closed incident about the same subject, model and family, in the window. */
function reopenable(
  alert: Alert,
  subject: string,
  closed: readonly ClosedCandidate[],
  windowMs = DEFAULT_REOPEN_WINDOW_MS,
): { id: string; reason: string } | null {
  if (windowMs <= 0) return null;
  const t = Date.parse(alert.time);
  const best = closed
    .filter(
      (c) =>
        Math.abs(t - Date.parse(c.closedAt)) <= windowMs &&
        sameModel(alert, c) &&
        sameSubject(subject, c) &&
        sameFamily(alert, c),
    )
    .sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt))[0];
  return best
    ? {
        id: best.id,
        reason: `same ${describeSubject(subject)} on ${alert.model ?? 'no model'} within ${windowMs} ms of the close`,
      }
    : null;
}
