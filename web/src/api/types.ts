// The shapes the console reads from the admin API's answers (the OpenAPI document types
// requests and paths; answers are typed here, where the pages use them).

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Identity {
  name: string;
  kind: string;
  role: string;
  permissions: string[];
}

export interface Incident {
  id: string;
  title: string;
  severity: { computed: Severity; override: { severity: Severity } | null; reasons: string[] };
  assets: string[];
  principals?: string[];
  atlasTechniques: string[];
  owasp: string[];
  assignee: string | null;
  createdAt: string;
  phase: string;
  kinds?: string[];
  updatedAt?: string;
  disposition?: { kind: string; reason: string; by: string; at: string } | null;
  /** Alert received → the first containment action enforced at every gateway (ms). */
  timeToContainMs?: number | null;
  firstSeen?: string;
  lastSeen?: string;
  [key: string]: unknown;
}

export interface Alert {
  id: string;
  time: string;
  detector: string;
  kind: string;
  model: string | null;
  principal: string | null;
  severity: Severity;
  confidence: number;
  title: string;
  atlasTechniques: string[];
  owasp: string[];
  evidence: unknown;
  eventIds: string[];
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor?: string;
  data?: unknown;
  [key: string]: unknown;
}

export interface AppliedAction {
  id: string;
  action: { kind: string; keyId?: string; model?: string; [k: string]: unknown };
  reason: string;
  actor: string;
  appliedAt: string;
  liftedAt: string | null;
  [key: string]: unknown;
}

export interface Evidence {
  id?: string;
  description?: string;
  digest: string;
  kind: string;
  label?: string;
  mediaType: string;
  size?: number;
  createdAt?: string;
  custody?: { at: string; actor: string; action: string }[];
  [key: string]: unknown;
}

export interface IncidentDetail {
  incident: Incident;
  metrics: Record<string, number | null>;
  techniques: { id: string; name?: string; tactics?: string[] }[];
  owasp: { id: string; title: string | null }[];
  alerts: Alert[];
  timeline: TimelineEntry[];
  tasks: { id: string; kind: string; status: string; title?: string; [k: string]: unknown }[];
  evidence: Evidence[];
  runs: { id: string; playbookId?: string; status: string; [k: string]: unknown }[];
  actions: AppliedAction[];
}

export interface Approval {
  id: string;
  incidentId: string;
  status: string;
  role?: string;
  title?: string;
  [key: string]: unknown;
}

export const severityOf = (i: Incident): Severity =>
  i.severity.override?.severity ?? i.severity.computed;
