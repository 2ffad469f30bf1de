import { Subjects, type Bus } from '../bus/index.js';
import { ATLAS, createId, type Alert, type AuditEntry } from '../core/index.js';
import type { CircuitChange } from '../gateway/index.js';

/**
 * What a model's circuit breaker changing state leads to: an audit-ledger entry for every
 * change, and an alert when it opens (the model fails over to its fallback) so a person looks
 * at why the model failed. Errors are logged: the gateway does not wait for either.
 */
export function recordCircuitChanges(
  audit: (entry: AuditEntry) => Promise<void>,
  bus: Pick<Bus, 'publish'>,
  gatewayId: string,
  log: (line: string) => void,
): (change: CircuitChange) => void {
  return (change) => {
    const at = new Date(change.at).toISOString();
    const facts = {
      model: change.model,
      from: change.from,
      to: change.to,
      reason: change.reason,
      requests: change.requests,
      errorRate: change.errorRate,
      refusalRate: change.refusalRate,
      gateway: gatewayId,
    };
    void audit({ type: 'gateway.circuit.changed', actor: 'gateway', at, ...facts }).catch((e) =>
      log(`cannot audit the circuit breaker of ${change.model}: ${(e as Error).message}`),
    );
    if (change.to !== 'open' || change.from !== 'closed') return;
    const alert: Alert = {
      id: createId('alr'),
      time: at,
      detector: 'gateway.circuit_breaker',
      kind: 'availability',
      model: change.model,
      principal: null,
      sourceAddress: null,
      severity: 'medium',
      confidence: 0.9,
      title: `Circuit breaker opened on ${change.model}: ${change.reason}; answering from its fallback`,
      // A failing model may be under a denial-of-service attack.
      atlasTechniques: [ATLAS.denialOfService],
      owasp: [],
      evidence: facts,
      eventIds: [],
    };
    void bus
      .publish(Subjects.alertRaised, alert)
      .catch((e) => log(`cannot raise the circuit breaker alert: ${(e as Error).message}`));
  };
}
