import type { Escalation } from '../gateway/index.js';
import type { ActionService } from '../respond/index.js';

/**
 * What a repeated trip of blocking detection escalates to: the key is suspended by a
 * containment action (listed, audited and liftable like any other). The reason names the
 * last alert (`[alert:…]`), so lifting the incident that alert belongs to lifts it too.
 */
export function suspendOnEscalation(
  actions: Pick<ActionService, 'apply'>,
  log: (line: string) => void,
): (escalation: Escalation) => void {
  return (e) =>
    void actions
      .apply(
        { kind: 'suspend_key', keyId: e.keyId },
        `blocking detection refused ${e.trips} queries of key ${e.keyId} (${e.principal}) on ${e.model}; last finding ${e.detector} [alert:${e.alertId}]`,
        'gateway',
      )
      .catch((error: unknown) =>
        log(`escalation of key ${e.keyId} failed: ${(error as Error).message}`),
      );
}
