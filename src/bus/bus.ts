/** A message as handlers see it. `subject` is the concrete subject it was published on. */
export interface BusMessage<T = unknown> {
  readonly subject: string;
  readonly data: T;
}

export type BusHandler<T = unknown> = (message: BusMessage<T>) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

/**
 * The event bus. Subjects are dot-separated (`gateway.inference.completed`); a subscription
 * pattern may use `*` for one token and `>` for the rest, as NATS does. Delivery is in publish
 * order per subject; a handler that throws does not stop delivery to others.
 */
export interface Bus {
  publish<T>(subject: string, data: T): Promise<void>;
  subscribe<T>(pattern: string, handler: BusHandler<T>): Promise<Subscription>;
  close(): Promise<void>;
}

/** Subjects used across modules: `<domain>.<noun>.<past-verb>`. */
export const Subjects = {
  inferenceCompleted: 'gateway.inference.completed',
  alertRaised: 'detect.alert.raised',
  actionApplied: 'respond.action.applied',
  actionLifted: 'respond.action.lifted',
  policyChanged: 'gateway.policy.changed',
} as const;

/** Whether a NATS-style pattern matches a subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
