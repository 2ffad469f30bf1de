import type { Alert, AppliedAction, ContainmentAction } from '../core/index.js';

/** The key an alert is about: its `evidence.keyId`, else its principal (as `{{alert.keyId}}`). */
export function alertKeyId(alert: Alert): string | null {
  const key = alert.evidence.keyId;
  return typeof key === 'string' ? key : alert.principal;
}

/** What an incident is about: the keys its alerts name and the models they concern. */
export interface IncidentSubject {
  keys: ReadonlySet<string>;
  models: ReadonlySet<string>;
}

export function incidentSubject(alerts: readonly Alert[]): IncidentSubject {
  return {
    keys: new Set(alerts.map(alertKeyId).filter((k): k is string => k !== null)),
    models: new Set(alerts.map((a) => a.model).filter((m): m is string => m !== null)),
  };
}

/**
 * Whether an action contains the incident, i.e. constrains its subject: a rate limit,
 * suspension or revocation of a key the incident's alerts name, or isolating, pinning or
 * blocking inputs of the incident's model. Hardening outputs is a mitigation: the attacker
 * keeps querying and learns less per answer, so it never counts as containment.
 */
export function containsSubject(action: ContainmentAction, subject: IncidentSubject): boolean {
  switch (action.kind) {
    case 'rate_limit':
      // A model- or endpoint-wide limit slows every caller of the model, the attacker too.
      return action.keyId === undefined
        ? subject.models.has(action.model!)
        : subject.keys.has(action.keyId);
    case 'suspend_key':
    case 'revoke_key':
      return subject.keys.has(action.keyId);
    case 'isolate_model':
    case 'pin_version':
    case 'block_input':
      return subject.models.has(action.model);
    // Both leave the attacker querying: hardening answers less, inline detection withholds
    // only the queries that trip a detector.
    case 'harden_output':
    case 'detect_inline':
    case 'watermark': // answers, slightly altered: it marks a thief, it stops nobody
      return false;
    // A deployment serves a version; it constrains no one.
    case 'deploy_version':
      return false;
  }
}

export type RateLimitPlan =
  | { kind: 'apply'; action: ContainmentAction }
  | { kind: 'keep'; applied: AppliedAction; why: string };

/** What a rate limit is aimed at: one key, every key on a model, or on one of its paths. */
function rateLimitTarget(action: ContainmentAction & { kind: 'rate_limit' }): string {
  if (action.keyId !== undefined) return `key\u0000${action.keyId}`;
  return `model\u0000${action.model}\u0000${action.endpoint ?? ''}`;
}

/**
 * A playbook never loosens containment: the gateway enforces the latest rate limit of a
 * target, so a gentle limit from one playbook would otherwise replace a strict one from
 * another. A rate limit on a key already suspended or revoked, or on a target (key, model or
 * endpoint) already limited at least as strictly, keeps that action; one that is stricter in one
 * respect only is combined with it (the lower rate and the lower burst). Other actions are
 * applied as given.
 */
export function planRateLimit(
  action: ContainmentAction,
  active: readonly AppliedAction[],
): RateLimitPlan {
  if (action.kind !== 'rate_limit') return { kind: 'apply', action };
  const target = rateLimitTarget(action);
  const onTarget = active.filter(
    (a) =>
      a.liftedAt === null &&
      ((a.action.kind === 'rate_limit' && rateLimitTarget(a.action) === target) ||
        ((a.action.kind === 'suspend_key' || a.action.kind === 'revoke_key') &&
          action.keyId !== undefined &&
          a.action.keyId === action.keyId)),
  );
  const blocked = onTarget.find((a) => a.action.kind !== 'rate_limit');
  if (blocked) return { kind: 'keep', applied: blocked, why: `key is ${blocked.action.kind}` };
  // The snapshot folds actions oldest first, so the last active limit is the one enforced.
  const limit = onTarget.at(-1);
  if (!limit || limit.action.kind !== 'rate_limit') return { kind: 'apply', action };
  const { ratePerSecond, burst } = limit.action;
  const what = action.keyId !== undefined ? 'key' : action.endpoint ? 'endpoint' : 'model';
  if (ratePerSecond <= action.ratePerSecond && burst <= action.burst)
    return {
      kind: 'keep',
      applied: limit,
      why: `${what} is already limited to ${ratePerSecond}/s, burst ${burst}`,
    };
  return {
    kind: 'apply',
    action: {
      ...action,
      ratePerSecond: Math.min(ratePerSecond, action.ratePerSecond),
      burst: Math.min(burst, action.burst),
    },
  };
}
