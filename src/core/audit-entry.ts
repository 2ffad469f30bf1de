import { z } from 'zod';

/**
 * Every entry of the `audit` ledger stream, keyed by `type`. Objects are loose: an entry may
 * carry more fields than listed (timeline data is spread in), and rows written by older
 * versions must still parse, so only the fields every writer sets are required. Nested objects
 * are checked for their identifying field only and kept whole.
 */

/** Kinds of incident timeline entry; each is also audited as `respond.incident.<kind>`. */
export const INCIDENT_TIMELINE_KINDS = [
  'opened',
  'linked',
  'reopened',
  'alert_attached',
  'assigned',
  'note',
  'severity_overridden',
  'phase_changed',
  'containment_enforced',
  'containment_lifted',
  'merged',
  'merged_into',
  'split',
  'split_from',
  'task_added',
  'task_done',
  'approval_requested',
  'approval_approved',
  'approval_rejected',
  'approval_done',
  'approval_open',
  'approval_refused',
  'playbook_started',
  'playbook_step',
  'playbook_finished',
  'evidence_added',
  'pipeline_frozen',
  'pipeline_thawed',
  'deadline_at_risk',
  'disposed',
] as const;
export type IncidentTimelineKind = (typeof INCIDENT_TIMELINE_KINDS)[number];

/** Registry subjects whose state changes are audited as `registry.<subject>.<state>`. */
const REGISTRY_STATE_TYPES = [
  ...(['approved', 'deployed', 'quarantined', 'revoked'] as const).map(
    (s) => `registry.model_version.${s}` as const,
  ),
  ...(['approved', 'deployed', 'quarantined', 'revoked'] as const).map(
    (s) => `registry.dataset_snapshot.${s}` as const,
  ),
] as const;

const actor = z.string();
const at = z.string();
const id = z.string();
const digest = z.string();
const entry = <const T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.looseObject({ type: z.literal(type), ...shape });
const acted = <const T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  entry(type, { actor, at, ...shape });
/** One schema for a family of types that share their fields. */
const family = <const T extends readonly string[], S extends z.ZodRawShape>(types: T, shape: S) =>
  z.looseObject({ type: z.literal(types), actor, at, ...shape });

const incidentTypes = INCIDENT_TIMELINE_KINDS.map((k) => `respond.incident.${k}` as const);

export const AuditEntrySchema = z.discriminatedUnion('type', [
  // admin API and gateway
  acted('api.call', {
    identityKind: z.string(),
    role: z.string().nullable(),
    method: z.string(),
    route: z.string().nullable(),
    path: z.string(),
    status: z.number(),
  }),
  acted('gateway.key.created', { keyId: id, principal: z.string() }),
  acted('ledger.pruned', {
    reason: z.string(),
    ledger: z.string(),
    fromSeq: z.number(),
    toSeq: z.number(),
    checkpointRoot: z.string().nullable(),
  }),
  acted('gateway.circuit.changed', { model: z.string(), from: z.string(), to: z.string() }),
  entry('gateway.unauthenticated.aggregated', {
    source: z.string(),
    from: at,
    to: at,
    count: z.number(),
  }),
  // data intake (written before `at` was added to every entry: it carries none)
  entry('data.audit', { actor, model: z.string(), batchDigest: digest, verdict: z.string() }),
  entry('registry.artifact.uploaded', {
    actor,
    model: z.string(),
    version: z.string(),
    digest,
    size: z.number(),
  }),
  // privacy
  acted('privacy.subject.erased', { subjectRef: z.string(), reason: z.string() }),
  acted('privacy.subject.exported', { subjectRef: z.string(), reason: z.string() }),
  acted('privacy.clear.read', { subjectRef: z.string(), reason: z.string() }),
  acted('privacy.kek.rotated', { from: z.string().nullable(), to: z.string() }),
  // registry
  acted('registry.artifact.read', {
    model: z.string(),
    version: z.string(),
    file: z.string(),
    bytes: z.number(),
    digest,
  }),
  // an artifact store's own access log (S3 server access logs), ingested: no `at` of ours
  entry('registry.artifact.store-read', { actor, format: z.string(), ingestedAt: at }),
  acted('registry.model.registered', { modelId: id, name: z.string() }),
  acted('registry.model_version.registered', {
    model: z.string(),
    version: z.string(),
    versionId: id,
  }),
  entry('registry.model_version.load_refused', {
    at,
    model: z.string(),
    version: z.string(),
    code: z.string(),
    reason: z.string(),
  }),
  acted('registry.dataset.registered', { datasetId: id, name: z.string() }),
  acted('registry.dataset_snapshot.registered', {
    dataset: z.string(),
    label: z.string(),
    snapshotId: id,
  }),
  acted('registry.training_run.recorded', { runId: id }),
  acted('registry.deployment.recorded', { endpoint: z.string(), model: z.string() }),
  acted('registry.fingerprint.recorded', { model: z.string(), fingerprintId: id }),
  acted('registry.validation.recorded', { validationId: id, model: z.string() }),
  family(REGISTRY_STATE_TYPES, {
    subject: z.string(),
    subjectId: id,
    to: z.string(),
    reason: z.string(),
  }),
  // respond
  acted('respond.action.applied', { actionId: id, action: z.looseObject({ kind: z.string() }) }),
  acted('respond.action.lifted', { actionId: id, action: z.looseObject({ kind: z.string() }) }),
  acted('respond.alert.suppressed', { alertId: id, suppressionId: id }),
  acted('respond.evidence.collected', { incidentId: id, evidenceId: id, digest }),
  acted('respond.evidence.handed_over', {
    incidentId: id,
    recipient: z.string(),
    digests: z.array(digest),
  }),
  acted('respond.pipeline.frozen', { incidentId: id }),
  acted('respond.pipeline.thawed', { freezeId: id, incidentId: id }),
  acted('respond.playbook.started', { runId: id, playbookId: z.string(), incidentId: id }),
  acted('respond.playbook.step', {
    runId: id,
    playbookId: z.string(),
    incidentId: id,
    stepId: z.string(),
    status: z.string(),
  }),
  acted('respond.playbook.escalated', { runId: id, stepId: z.string() }),
  acted('respond.suppression.created', { suppression: z.looseObject({ id }) }),
  acted('respond.suppression.revoked', { suppressionId: id }),
  family(incidentTypes, { incidentId: id }),
  // forensics and SOC reporting
  acted('report.incident.sent', { incidentId: id, sink: z.string() }),
]);

/** One entry of the `audit` ledger stream. */
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditEntryType = AuditEntry['type'];
