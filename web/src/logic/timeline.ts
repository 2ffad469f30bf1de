import type { Alert, AppliedAction, IncidentDetail } from '../api/types';

/** One line of the incident's timeline as the detail page shows it. */
export interface TimelineRow {
  at: string;
  kind: 'alert' | 'action' | 'lift' | 'event';
  title: string;
  actor: string | null;
  /** Where the row came from, so the page can link to it. */
  ref: string | null;
}

const describe = (type: string, detail: unknown): string => {
  if (detail === undefined || detail === null) return type;
  if (typeof detail === 'string') return `${type}: ${detail}`;
  const d = detail as Record<string, unknown>;
  const said = d.summary ?? d.reason ?? d.text ?? d.title ?? d.note;
  return typeof said === 'string' ? `${type}: ${said}` : type;
};

const actionTitle = (a: AppliedAction): string =>
  `${a.action.kind}${a.action.keyId ? ` on key ${a.action.keyId}` : ''}${a.action.model ? ` on ${a.action.model}` : ''}`;

/**
 * The incident's record (its timeline entries), its alerts and its containment actions as one
 * list in time order. An alert or action already named by a timeline entry (same id) appears
 * once. Entries at the same instant keep the order alert → action → the rest.
 */
export function assembleTimeline(
  detail: Pick<IncidentDetail, 'timeline' | 'alerts' | 'actions'>,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const named = new Set<string>();
  for (const e of detail.timeline) {
    const d = e.data as Record<string, unknown> | undefined;
    for (const k of ['alertId', 'actionId'])
      if (typeof d?.[k] === 'string') named.add(d[k] as string);
    rows.push({
      at: e.at,
      kind: 'event',
      title: describe(e.type, e.data),
      actor: typeof e.actor === 'string' ? e.actor : null,
      ref: null,
    });
  }
  for (const a of detail.alerts as Alert[]) {
    if (named.has(a.id)) continue;
    rows.push({
      at: a.time,
      kind: 'alert',
      title: `${a.detector}: ${a.title}`,
      actor: a.principal,
      ref: a.id,
    });
  }
  for (const a of detail.actions) {
    if (!named.has(a.id))
      rows.push({
        at: a.appliedAt,
        kind: 'action',
        title: actionTitle(a),
        actor: a.actor,
        ref: a.id,
      });
    if (a.liftedAt)
      rows.push({
        at: a.liftedAt,
        kind: 'lift',
        title: `lifted ${actionTitle(a)}`,
        actor: null,
        ref: a.id,
      });
  }
  const order = { alert: 0, action: 1, lift: 2, event: 3 } as const;
  return rows.sort((x, y) => x.at.localeCompare(y.at) || order[x.kind] - order[y.kind]);
}
