import type { Alert, FairnessReport } from '../core/index.js';

/** Group fairness of one model in the latest performance window an incident's alerts carry. */
export interface ReviewFairness {
  model: string;
  /** The alert whose evidence holds the window. */
  alertId: string;
  window: { index: number; start: string; end: string; size: number };
  report: FairnessReport;
  /** Gaps beyond the monitor's `maxFairnessGap` in that window. */
  alerted: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The latest window per model among the alerts whose evidence has fairness figures (the
 * performance monitor's drop and fairness alerts, when labels came with a `group`).
 */
export function fairnessFromAlerts(alerts: readonly Alert[]): ReviewFairness[] {
  const latest = new Map<string, ReviewFairness>();
  for (const a of alerts) {
    const { fairness, window } = a.evidence;
    if (a.model === null || !isObject(fairness) || !isObject(fairness.groups) || !isObject(window))
      continue;
    const w = window as ReviewFairness['window'];
    const seen = latest.get(a.model);
    // Per model, the window that ended last; within one window, the fairness alert (it names the gaps).
    if (seen && (seen.window.end > w.end || (seen.window.end === w.end && seen.alerted.length > 0)))
      continue;
    const alerted =
      a.kind === 'fairness' && Array.isArray(a.evidence.alerted) ? a.evidence.alerted : [];
    latest.set(a.model, {
      model: a.model,
      alertId: a.id,
      window: w,
      report: fairness as unknown as FairnessReport,
      alerted: alerted.map(String),
    });
  }
  return [...latest.values()].sort((x, y) => x.model.localeCompare(y.model));
}
