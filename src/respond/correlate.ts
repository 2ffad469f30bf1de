import type { Alert } from '../core/index.js';

export const CORRELATION_KEYS = ['model', 'principal', 'source', 'technique'] as const;
export type CorrelationKey = (typeof CORRELATION_KEYS)[number];

export interface CorrelationOptions {
  /** An alert joins an open incident seen within this window (ms, event time). */
  windowMs: number;
  /** The same detector, kind, model and principal within this window is a duplicate. */
  dedupWindowMs: number;
  /** Which shared attributes correlate; any one is enough. */
  on: readonly CorrelationKey[];
  /**
   * An alert no open incident takes re-opens a closed incident about the same model and
   * principal closed within this window of the alert's event time (ms). Default 24 h; 0 never.
   */
  reopenWindowMs?: number;
}

export const DEFAULT_REOPEN_WINDOW_MS = 24 * 3_600_000;

export const DEFAULT_CORRELATION: CorrelationOptions = {
  windowMs: 30 * 60_000,
  dedupWindowMs: 60_000,
  on: CORRELATION_KEYS,
  reopenWindowMs: DEFAULT_REOPEN_WINDOW_MS,
};

/** What correlation needs to know about an open incident. */
export interface CorrelationCandidate {
  id: string;
  assets: readonly string[];
  principals: readonly string[];
  sources: readonly string[];
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
  /** When it was closed (ISO time). */
  closedAt: string;
}

/** An open incident about another model that the same actor (principal or source) is behind. */
export interface IncidentLink {
  incidentId: string;
  reason: string;
}

export type CorrelationDecision =
  | { kind: 'duplicate'; incidentId: string; reason: string }
  | { kind: 'attach'; incidentId: string; reason: string }
  | { kind: 'reopen'; incidentId: string; reason: string }
  | { kind: 'new'; reason: string; links: IncidentLink[] };

/** The key under which two alerts are the same finding repeated. */
export function dedupKey(alert: Alert): string {
  return [alert.detector, alert.kind, alert.model ?? '-', alert.principal ?? '-'].join('|');
}

/**
 * Alerts about different models never share an incident: each model's playbooks, approvals
 * and rollbacks name that model. An alert naming no model, or an incident with none yet, may.
 */
function otherModel(alert: Alert, c: CorrelationCandidate): boolean {
  return alert.model !== null && c.assets.length > 0 && !c.assets.includes(alert.model);
}

/** The same actor on another model: a campaign worth a link, never a merge. */
function sameActor(alert: Alert, c: CorrelationCandidate): string | null {
  if (alert.principal && c.principals.includes(alert.principal))
    return `same principal ${alert.principal}`;
  if (alert.sourceAddress && c.sources.includes(alert.sourceAddress))
    return `same source ${alert.sourceAddress}`;
  return null;
}

function shared(
  alert: Alert,
  c: CorrelationCandidate,
  on: readonly CorrelationKey[],
): string | null {
  if (on.includes('principal') && alert.principal && c.principals.includes(alert.principal))
    return `same principal ${alert.principal}`;
  if (on.includes('source') && alert.sourceAddress && c.sources.includes(alert.sourceAddress))
    return `same source ${alert.sourceAddress}`;
  const technique = alert.atlasTechniques.find((t) => c.atlasTechniques.includes(t));
  if (on.includes('technique') && technique) return `same technique ${technique}`;
  if (on.includes('model') && alert.model && c.assets.includes(alert.model))
    return `same model ${alert.model}`;
  return null;
}

/**
 * The most recently closed incident about the same subject (the alert's model — or none on
 * both — and its principal) closed within the re-open window of the alert's event time.
 */
function reopenable(
  alert: Alert,
  closed: readonly ClosedCandidate[],
  windowMs: number,
): { c: ClosedCandidate; reason: string } | null {
  if (windowMs <= 0) return null;
  const t = Date.parse(alert.time);
  const sameModel = (c: ClosedCandidate) =>
    alert.model === null ? c.assets.length === 0 : c.assets.includes(alert.model);
  const best = closed
    .filter(
      (c) =>
        Math.abs(t - Date.parse(c.closedAt)) <= windowMs &&
        sameModel(c) &&
        alert.principal !== null &&
        c.principals.includes(alert.principal),
    )
    .sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt))[0];
  return best
    ? {
        c: best,
        reason: `same principal ${alert.principal} on ${alert.model ?? 'no model'} within ${windowMs} ms of the close`,
      }
    : null;
}

/**
 * Decides where an alert goes: a duplicate of a recent one, into the most recently active
 * matching incident about the same model, back into a recently closed incident about the
 * same model and principal, or a new incident (linked to open incidents about other models
 * by the same principal or source). Pure; uses event time only, so replay agrees.
 */
export function correlateAlert(
  alert: Alert,
  open: readonly CorrelationCandidate[],
  options: CorrelationOptions = DEFAULT_CORRELATION,
  closed: readonly ClosedCandidate[] = [],
): CorrelationDecision {
  const t = Date.parse(alert.time);
  const key = dedupKey(alert);
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
  const matches = inWindow
    .filter((c) => !otherModel(alert, c))
    .map((c) => ({ c, why: shared(alert, c, options.on) }))
    .filter((m): m is { c: CorrelationCandidate; why: string } => m.why !== null);
  const best = matches[0];
  if (best) return { kind: 'attach', incidentId: best.c.id, reason: best.why };
  const reopen = reopenable(alert, closed, options.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS);
  if (reopen) return { kind: 'reopen', incidentId: reopen.c.id, reason: reopen.reason };
  const links = inWindow
    .filter((c) => otherModel(alert, c))
    .map((c) => ({ incidentId: c.id, reason: sameActor(alert, c) }))
    .filter((l): l is IncidentLink => l.reason !== null);
  return {
    kind: 'new',
    reason: `no open incident about ${alert.model ?? 'this alert'} shares a model, principal, source or technique in the window`,
    links,
  };
}
