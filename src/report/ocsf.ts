import { isIP } from 'node:net';
import type { Review } from './review.js';

// OCSF 1.3 Detection Finding (class 2004, category 2 "Findings"): one finding per alert,
// https://schema.ocsf.io/1.3.0/classes/detection_finding.

export const OCSF_VERSION = '1.3.0';
const SEVERITY_ID: Record<string, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };

/** The incident's alerts as OCSF Detection Findings, one JSON object each (write them as JSONL). */
export function toOcsfFindings(r: Review): Record<string, unknown>[] {
  const i = r.incident;
  return r.alerts.map((a) => {
    const alert = a as typeof a & {
      severity?: string;
      model?: string | null;
      principal?: string | null;
      sourceAddress?: string | null;
    };
    const severity = alert.severity ?? i.severity.computed;
    return {
      activity_id: 1, // Create
      activity_name: 'Create',
      category_uid: 2,
      category_name: 'Findings',
      class_uid: 2004,
      class_name: 'Detection Finding',
      type_uid: 200401,
      type_name: 'Detection Finding: Create',
      severity_id: SEVERITY_ID[severity] ?? 99,
      severity,
      status_id: i.phase === 'closed' ? 3 : 1, // Resolved : New
      time: Date.parse(a.time),
      confidence_score: Math.round(a.confidence * 100),
      message: a.title,
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'aisoc', vendor_name: 'aisoc', feature: { name: a.detector } },
        correlation_uid: i.id,
        uid: a.id,
      },
      finding_info: {
        uid: a.id,
        title: a.title,
        types: [a.kind],
        first_seen_time: Date.parse(i.firstSeen),
        last_seen_time: Date.parse(i.lastSeen),
        attacks: r.techniques.map((t) => ({
          version: 'ATLAS',
          technique: { uid: t.id, name: t.name ?? t.id },
        })),
      },
      resources: [{ type: 'ml_model', name: alert.model ?? i.assets[0] ?? 'unknown' }],
      // OCSF 1.3 carries who and where of a finding in its evidences (actor and src_endpoint
      // at the top level belong to the host profile, which a model endpoint is not).
      ...(alert.sourceAddress || alert.principal
        ? {
            evidences: [
              {
                ...(alert.principal ? { actor: { user: { name: alert.principal } } } : {}),
                ...(alert.sourceAddress && isIP(alert.sourceAddress)
                  ? { src_endpoint: { ip: alert.sourceAddress } }
                  : {}),
              },
            ],
          }
        : {}),
      unmapped: {
        incident: i.id,
        owasp: r.owasp.map((o) => o.id),
        related_alerts: r.alerts.length,
        ...(alert.sourceAddress && !isIP(alert.sourceAddress)
          ? { source: alert.sourceAddress }
          : {}),
      },
    };
  });
}
