import type { Alert } from '../core/index.js';
import { alertKeyId } from './containment-rules.js';

/**
 * Who an alert is about, the unit an incident is kept to: `key:<id>` for a finding about one
 * caller, `network:<prefix>` for a finding about a whole source network (it names no key), and
 * `model:<id>` for a finding about the model itself (drift, integrity).
 */
export function alertSubject(alert: Alert): string {
  const key = alertKeyId(alert);
  if (key !== null) return `key:${key}`;
  const subject = alert.evidence.subject;
  if (typeof subject === 'string' && subject !== '') return `network:${subject}`;
  return `model:${alert.model ?? '-'}`;
}

/** A subject as people read it: `key key_1`, `network 10.0.0.0/24`, `model fraud`. */
export function describeSubject(subject: string): string {
  const at = subject.indexOf(':');
  return at < 0 ? subject : `${subject.slice(0, at)} ${subject.slice(at + 1)}`;
}

/** Who a run is about: the key (or principal) its alert names, else the alert's model. */
export function runSubject(alert: Alert | null): string | null {
  if (!alert) return null;
  // Alerts about no principal (integrity, drift) are about a model: one run per model.
  return alertKeyId(alert) ?? (alert.model === null ? null : `model:${alert.model}`);
}
