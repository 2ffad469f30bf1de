import type { Detector, DetectorRunner } from '../detect/index.js';
import { policyTraceHas } from '../core/index.js';
import type { InlineDetection } from '../gateway/index.js';

export type InlineInspector = InlineDetection;

/**
 * Blocking mode's half of the per-principal detectors: the gateway hands over one answered
 * query, the runner folds it into the same state the bus feeds and raises its alerts as usual.
 */
export function createInlineInspector(
  runner: DetectorRunner,
  detectorByModel: ReadonlyMap<string, string>,
): InlineInspector {
  return {
    inspect(event) {
      const name = detectorByModel.get(event.model);
      if (name === undefined) return null;
      const alerts = runner.processWith(name, event);
      // Only a finding about this caller withholds its answer: one about a whole source network
      // names no key, since the query that tipped it may be a benign caller's.
      const own = alerts.find((a) => a.evidence.keyId === event.keyId);
      return own ? { detector: own.detector, alertId: own.id } : null;
    },
  };
}

/** The bus-side copy of a detector: it skips queries the gateway already inspected inline. */
export function skipInspectedInline(detector: Detector<unknown>): Detector<unknown> {
  return {
    ...detector,
    observe: (state, event) =>
      policyTraceHas(event.policyAction, 'detect_inline') ? [] : detector.observe(state, event),
  };
}
