import { SEVERITIES, type Alert, type Severity } from '../core/index.js';
import { dedupKey } from './correlate.js';
import {
  CRITICALITIES,
  DATA_SENSITIVITIES,
  type Criticality,
  type DataSensitivity,
  type Incident,
} from './incident.js';
import { computeSeverity } from './severity.js';
import { alertSubject } from './subject.js';
import { owaspForTechniques, profileForKind } from './taxonomy.js';

/** What respond knows about an asset (a model): from config `models[]`. */
export interface AssetInfo {
  criticality: Criticality;
  dataSensitivity?: DataSensitivity;
  tags?: readonly string[];
}

const union = (lists: readonly (readonly string[])[]) => [...new Set(lists.flat())].sort();
const RECENT_MAX = 50;

/**
 * The parts of an incident derived from its alerts: assets, principals, techniques, OWASP ids
 * and the computed severity. Recomputed on every change, so merge and split stay consistent.
 */
export function summariseAlerts(
  alerts: readonly Alert[],
  assets: ReadonlyMap<string, AssetInfo>,
): Pick<
  Incident,
  | 'category'
  | 'atlasTechniques'
  | 'owasp'
  | 'assets'
  | 'principals'
  | 'sources'
  | 'subjects'
  | 'kinds'
  | 'alertIds'
  | 'alertCount'
  | 'impactType'
  | 'confidence'
  | 'dataSensitivity'
  | 'firstSeen'
  | 'lastSeen'
  | 'recent'
> & { severity: ReturnType<typeof computeSeverity> } {
  const sorted = [...alerts].sort((a, b) => a.time.localeCompare(b.time));
  const first = sorted[0]!;
  const models = union(sorted.map((a) => (a.model ? [a.model] : [])));
  const techniques = union(sorted.map((a) => a.atlasTechniques));
  const profile = profileForKind(first.kind);
  const info = models.map((m) => assets.get(m));
  const criticality =
    CRITICALITIES[
      Math.max(1, ...info.map((i) => CRITICALITIES.indexOf(i?.criticality ?? 'medium')))
    ]!;
  const dataSensitivity =
    DATA_SENSITIVITIES[
      Math.max(1, ...info.map((i) => DATA_SENSITIVITIES.indexOf(i?.dataSensitivity ?? 'internal')))
    ]!;
  const confidence = Math.max(...sorted.map((a) => a.confidence));
  const alertSeverity: Severity =
    SEVERITIES[Math.max(...sorted.map((a) => SEVERITIES.indexOf(a.severity)))]!;
  const severity = computeSeverity({
    criticality,
    impactType: profile.impactType,
    confidence,
    dataSensitivity,
    alertSeverity,
  });
  if (models.length === 0) severity.reasons.unshift('no known asset: criticality assumed medium');
  return {
    category: profile.category,
    atlasTechniques: techniques,
    owasp: union([...sorted.map((a) => a.owasp), owaspForTechniques(techniques)]),
    assets: models,
    principals: union(sorted.map((a) => (a.principal ? [a.principal] : []))),
    sources: union(sorted.map((a) => (a.sourceAddress ? [a.sourceAddress] : []))),
    subjects: union(sorted.map((a) => [alertSubject(a)])),
    kinds: union(sorted.map((a) => [a.kind])),
    alertIds: sorted.map((a) => a.id),
    alertCount: sorted.length,
    impactType: profile.impactType,
    confidence,
    dataSensitivity,
    firstSeen: first.time,
    lastSeen: sorted.at(-1)!.time,
    recent: sorted.slice(-RECENT_MAX).map((a) => ({ key: dedupKey(a), time: a.time })),
    severity,
  };
}
