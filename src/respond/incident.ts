import type { Alert, Severity } from '../core/index.js';
import type { IncidentLink } from './correlate.js';

/** NIST SP 800-61r2 §3 phases as an incident moves through them, in order. */
export const PHASES = [
  'detected',
  'analysing',
  'contained',
  'eradicated',
  'recovered',
  'closed',
] as const;
export type Phase = (typeof PHASES)[number];

export const IMPACT_TYPES = ['confidentiality', 'integrity', 'availability'] as const;
export type ImpactType = (typeof IMPACT_TYPES)[number];

export const DATA_SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataSensitivity = (typeof DATA_SENSITIVITIES)[number];

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** The computed severity, why, and the person's override when there is one. */
export interface SeverityAssessment {
  computed: Severity;
  score: number;
  reasons: string[];
  override: { severity: Severity; reason: string; by: string; at: string } | null;
}

export interface IncidentTask {
  id: string;
  title: string;
  kind: 'task' | 'approval';
  role: string | null;
  status: 'open' | 'done' | 'approved' | 'rejected';
  createdAt: string;
  doneAt: string | null;
  doneBy: string | null;
  runId: string | null;
  stepId: string | null;
}

/** An incident: correlated alerts with their context, its phase history and its metrics. */
export interface Incident {
  id: string;
  title: string;
  category: string;
  atlasTechniques: string[];
  owasp: string[];
  assets: string[];
  principals: string[];
  sources: string[];
  /**
   * Who the incident is about (`key:…`, `network:…`, `model:…`; see subject.ts): one subject,
   * unless a person merged incidents. Absent on incidents stored before subjects.
   */
  subjects?: string[];
  kinds: string[];
  alertIds: string[];
  alertCount: number;
  duplicateCount: number;
  /** Dedup keys of the latest alerts with their event times (bounded), for correlation. */
  recent: { key: string; time: string }[];
  severity: SeverityAssessment;
  impactType: ImpactType;
  confidence: number;
  dataSensitivity: DataSensitivity;
  assignee: string | null;
  phase: Phase;
  /** When each phase was reached (ISO time); `detected` is when aisoc raised the incident. */
  phaseTimes: Partial<Record<Phase, string>>;
  /** Event time of the earliest observation behind the incident (start of the attack seen). */
  firstSeen: string;
  lastSeen: string;
  /** Alert received → containment enforced at every gateway (policy ack), in milliseconds. */
  timeToContainMs: number | null;
  mergedInto: string | null;
  /**
   * Related open incidents, linked both ways and never merged: the same subject on another
   * model or technique family, or a campaign (other subjects, same model and technique family
   * in the window). Absent on incidents stored before links.
   */
  links?: IncidentLink[];
  /**
   * Earlier openings of a re-opened incident, oldest first: what each looked like when it
   * closed. `phaseTimes`, `timeToContainMs` and the metrics describe the current opening.
   */
  reopenings?: Reopening[];
  /** How the incident was disposed of (`aisoc incidents dispose`); absent until then. */
  disposition?: Disposition;
  createdAt: string;
  updatedAt: string;
}

/** A person's verdict on an incident: a false positive lifts its actions and suppresses it. */
export interface Disposition {
  kind: 'false_positive' | 'true_positive';
  reason: string;
  by: string;
  at: string;
  /** The suppressions a false positive recorded (subject + detector, with an expiry). */
  suppressionIds: string[];
}

/** A closed incident brought back by a new alert about the same subject. */
export interface Reopening {
  /** When it was re-opened, and the alert (with its event time) that re-opened it. */
  at: string;
  alertId: string;
  alertTime: string;
  reason: string;
  /** The closed opening's phase times and time to contain. */
  phaseTimes: Partial<Record<Phase, string>>;
  timeToContainMs: number | null;
}

/** The effective severity: the override when a person set one, else the computed one. */
export function effectiveSeverity(incident: Incident): Severity {
  return incident.severity.override?.severity ?? incident.severity.computed;
}

export interface IncidentMetrics {
  /** Mean time to detect: first observation → incident raised. */
  ttdMs: number | null;
  /** Time to contain: incident raised → contained phase. */
  ttcMs: number | null;
  /** Time to recover: incident raised → recovered phase. */
  ttrMs: number | null;
}

const diff = (from: string | undefined, to: string | undefined) =>
  from === undefined || to === undefined ? null : Date.parse(to) - Date.parse(from);

/** Per-incident durations from the phase timestamps (of the current opening). */
export function incidentMetrics(incident: Incident): IncidentMetrics {
  const detected = incident.phaseTimes.detected;
  const seen = incident.reopenings?.at(-1)?.alertTime ?? incident.firstSeen;
  return {
    ttdMs: diff(seen, detected),
    ttcMs: diff(detected, incident.phaseTimes.contained),
    ttrMs: diff(detected, incident.phaseTimes.recovered),
  };
}

export const isFalsePositive = (i: Incident) => i.disposition?.kind === 'false_positive';

/**
 * MTTD, MTTC, MTTR over incidents: the mean of each duration where it is known, leaving out
 * incidents disposed of as false positives (they measure the detectors, not the response),
 * and the false-positive rate: false positives over incidents not merged into another.
 */
export function meanMetrics(incidents: readonly Incident[]): IncidentMetrics & {
  count: number;
  falsePositives: number;
  falsePositiveRate: number | null;
} {
  const own = incidents.filter((i) => i.mergedInto === null);
  const real = own.filter((i) => !isFalsePositive(i));
  const mean = (key: keyof IncidentMetrics) => {
    const values = real.map((i) => incidentMetrics(i)[key]).filter((v) => v !== null);
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const falsePositives = own.length - real.length;
  return {
    count: incidents.length,
    ttdMs: mean('ttdMs'),
    ttcMs: mean('ttcMs'),
    ttrMs: mean('ttrMs'),
    falsePositives,
    falsePositiveRate: own.length === 0 ? null : falsePositives / own.length,
  };
}

/**
 * Moves an incident to `phase`. Phases only move forward (skipping is allowed: a contained
 * incident may be closed directly); every phase skipped over gets no timestamp.
 */
export function canMoveTo(current: Phase, next: Phase): boolean {
  return PHASES.indexOf(next) > PHASES.indexOf(current);
}

/**
 * A closed incident back at `detected` (NIST SP 800-61r2 §3.4: a recurrence goes back to
 * detection and analysis), the closed opening's phase times and time to contain kept.
 */
export function reopenIncident(
  incident: Incident,
  alert: Alert,
  reason: string,
  at: string,
): Incident {
  const previous: Reopening = {
    at,
    alertId: alert.id,
    alertTime: alert.time,
    reason,
    phaseTimes: incident.phaseTimes,
    timeToContainMs: incident.timeToContainMs,
  };
  return {
    ...incident,
    phase: 'detected',
    phaseTimes: { detected: at },
    timeToContainMs: null,
    reopenings: [...(incident.reopenings ?? []), previous],
    updatedAt: at,
  };
}
