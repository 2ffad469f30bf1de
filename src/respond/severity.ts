import { SEVERITIES, type Severity } from '../core/index.js';
import type { Criticality, DataSensitivity, ImpactType, SeverityAssessment } from './incident.js';

export interface SeverityInputs {
  /** The highest criticality among the affected assets (config `models[].criticality`). */
  criticality: Criticality;
  impactType: ImpactType;
  /** 0..1, the highest detector confidence behind the incident. */
  confidence: number;
  dataSensitivity: DataSensitivity;
  /** The highest severity a detector gave; it bounds the result from below by one step. */
  alertSeverity: Severity;
}

const CRITICALITY_POINTS: Record<Criticality, number> = { low: 1, medium: 2, high: 3, critical: 4 };
const IMPACT_POINTS: Record<ImpactType, number> = {
  integrity: 2,
  confidentiality: 2,
  availability: 1,
};
const SENSITIVITY_POINTS: Record<DataSensitivity, number> = {
  public: 0,
  internal: 1,
  confidential: 2,
  restricted: 3,
};

/**
 * A transparent additive score in the spirit of NIST SP 800-61r2 §3.2.6 (functional impact,
 * information impact, recoverability): asset criticality + impact type + data sensitivity,
 * scaled by the detectors' confidence. Each term is a reason a person can read and dispute.
 */
export function computeSeverity(inputs: SeverityInputs): Omit<SeverityAssessment, 'override'> {
  const confidence = Math.min(1, Math.max(0, inputs.confidence));
  const c = CRITICALITY_POINTS[inputs.criticality];
  const i = IMPACT_POINTS[inputs.impactType];
  const s = SENSITIVITY_POINTS[inputs.dataSensitivity];
  const raw = c + i + s;
  // Low confidence halves the score at worst: a weak signal on a critical asset stays visible.
  const score = Math.round(raw * (0.5 + confidence / 2) * 10) / 10;
  let level: Severity =
    score >= 7.5
      ? 'critical'
      : score >= 5.5
        ? 'high'
        : score >= 3.5
          ? 'medium'
          : score >= 2
            ? 'low'
            : 'info';
  const floor = Math.max(0, SEVERITIES.indexOf(inputs.alertSeverity) - 1);
  const reasons = [
    `asset criticality ${inputs.criticality} (+${c})`,
    `impact on ${inputs.impactType} (+${i})`,
    `data sensitivity ${inputs.dataSensitivity} (+${s})`,
    `detector confidence ${confidence.toFixed(2)} (×${(0.5 + confidence / 2).toFixed(2)})`,
    `score ${score} of 9 → ${level}`,
  ];
  if (SEVERITIES.indexOf(level) < floor) {
    level = SEVERITIES[floor]!;
    reasons.push(`raised to ${level}: a detector reported ${inputs.alertSeverity}`);
  }
  return { computed: level, score, reasons };
}
