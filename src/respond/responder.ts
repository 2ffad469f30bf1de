import { Subjects, type Bus, type PolicyChannel, type Subscription } from '../bus/index.js';
import {
  AlertSchema,
  SEVERITIES,
  systemClock,
  type Alert,
  type Clock,
  type AuditEntry,
} from '../core/index.js';
import type { Store } from '../store/index.js';
import type { ActionService } from './action-service.js';
import { createContainmentTimer } from './containment-timer.js';
import { containsSubject, incidentSubject } from './containment-rules.js';
import type { CorrelationOptions } from './correlate.js';
import { respondError, RespondErrorCodes } from './errors.js';
import { createEvidenceService } from './evidence-service.js';
import { createFolderEvidenceStore, type EvidenceStore } from './evidence-store.js';
import {
  effectiveSeverity,
  incidentMetrics,
  meanMetrics,
  type Incident,
  type Phase,
} from './incident.js';
import { atlasTechnique, owaspTitle } from './taxonomy.js';
import { createIncidentService, type AuditFn } from './incident-service.js';
import { loadPlaybookDir } from './load-playbook.js';
import type { WebhookTarget } from './notify.js';
import type { Playbook } from './playbook-schema.js';
import { createPlaybookRunner } from './playbook-runner.js';
import { createRespondRepository } from './respond-repository.js';
import { simulateRun } from './simulate-run.js';
import { createPipelineFreezes } from './pipeline-freeze.js';
import { createStepAdapters, type EvidenceSources } from './step-adapters.js';
import type { AssetInfo } from './summarise-alerts.js';
import { createApprovals } from './approvals.js';
import { createFalsePositives, type DisposeOptions } from './false-positives.js';
import { createSuppressions } from './suppressions.js';

export interface ResponderDeps {
  store: Pick<Store, 'db'>;
  bus: Bus;
  actions: ActionService;
  channel: Pick<PolicyChannel, 'watch' | 'acks'>;
  audit: AuditFn;
  /**
   * Queues an audit entry without waiting for its commit (the ledger writer's `append`). The
   * incident timeline and run start use it so that containment is not held up by commits;
   * actions, step results, evidence and approvals always wait for `audit`. Default: `audit`.
   */
  auditQueued?: (entry: AuditEntry) => void;
  /** Asset criticality, data sensitivity and tags by model id (config `models[]`). */
  assets: ReadonlyMap<string, AssetInfo>;
  evidenceDir?: string;
  evidenceStore?: EvidenceStore;
  playbookDir?: string;
  playbooks?: readonly Playbook[];
  sources?: Partial<EvidenceSources>;
  webhooks?: Readonly<Record<string, WebhookTarget>>;
  /** Who holds which approval roles; without it the role an approver names is trusted. */
  roles?: Readonly<Record<string, readonly string[]>>;
  correlation?: CorrelationOptions;
  clock?: Clock;
  tickMs?: number;
  onError?: (error: unknown) => void;
  /** Adds what other modules know to an alert before it is handled (e.g. the registry's known-good version). */
  enrichAlert?: (alert: Alert) => Promise<Alert>;
}

const noSources: EvidenceSources = {
  artifact: async () => null,
  events: async () => [],
  detectorState: async () => null,
  config: async () => null,
};

/** Whether a playbook's trigger matches an alert filed into an incident. */
export function triggerMatches(
  playbook: Playbook,
  alert: Alert,
  incident: Incident,
  assets: ReadonlyMap<string, AssetInfo>,
): boolean {
  const t = playbook.trigger;
  if (!t.kinds.includes(alert.kind) && !t.kinds.includes('*')) return false;
  if (SEVERITIES.indexOf(effectiveSeverity(incident)) < SEVERITIES.indexOf(t.minSeverity))
    return false;
  if (t.models && !(alert.model && t.models.includes(alert.model))) return false;
  if (
    t.tags &&
    !t.tags.some((tag) => (alert.model ? (assets.get(alert.model)?.tags ?? []) : []).includes(tag))
  )
    return false;
  if (t.evidence && !t.evidence.every((field) => alert.evidence[field] != null)) return false;
  if (t.detectors && !t.detectors.some((d) => detectorMatches(d, alert.detector))) return false;
  return true;
}

const containsFirst = (p: Playbook) => (p.steps[0]?.kind === 'contain' ? 1 : 0);

function detectorMatches(pattern: string, detector: string): boolean {
  return pattern.endsWith('*') ? detector.startsWith(pattern.slice(0, -1)) : detector === pattern;
}

/**
 * The response module assembled: files alerts from `detect.alert.raised` into incidents,
 * starts matching playbooks, measures time-to-contain at the gateways, and serves the
 * incident, approval, playbook and evidence operations the API and CLI expose.
 */
export async function createResponder(deps: ResponderDeps) {
  const clock = deps.clock ?? systemClock;
  const onError = deps.onError ?? (() => {});
  const repo = createRespondRepository(deps.store.db as never);
  const queued = deps.auditQueued ? { auditQueued: deps.auditQueued } : {};
  const incidents = createIncidentService({
    repo,
    audit: deps.audit,
    ...queued,
    clock,
    assets: deps.assets,
    ...(deps.correlation ? { correlation: deps.correlation } : {}),
  });
  const store = deps.evidenceStore ?? createFolderEvidenceStore(deps.evidenceDir ?? 'evidence');
  const evidence = createEvidenceService({ store, repo, audit: deps.audit, clock });
  const webhooks = deps.webhooks ?? {};
  // With no webhook configured, notify steps are not refused at load: they escalate to a task.
  const webhookNames = Object.keys(webhooks).length > 0 ? Object.keys(webhooks) : undefined;
  let playbooks = new Map<string, Playbook>((deps.playbooks ?? []).map((p) => [p.id, p]));
  if (deps.playbookDir)
    for (const p of await loadPlaybookDir(deps.playbookDir, webhookNames)) playbooks.set(p.id, p);

  const timer = await createContainmentTimer({ channel: deps.channel });
  const arrivals = new Map<string, number>(); // incident id → performance.now() of its first alert
  const freezes = createPipelineFreezes({
    db: deps.store.db,
    hooks: webhooks,
    audit: deps.audit,
    clock,
  });
  const execute = createStepAdapters({
    actions: deps.actions,
    incidents,
    evidence,
    webhooks,
    freezes,
    sources: { ...noSources, ...deps.sources },
    async onContainment(incident, applied) {
      const t0 = arrivals.get(incident.id);
      // The step waits for enforcement either way. Only an action that constrains the
      // incident's key or model contains it (not harden_output); that check runs beside the
      // wait so it adds nothing to the time.
      const [t1, contains] = await Promise.all([
        timer.waitEnforced(applied.id),
        repo
          .alertsOf(incident.id)
          .then((alerts) => containsSubject(applied.action, incidentSubject(alerts))),
      ]);
      if (t1 === null || !contains) return;
      if (t0 !== undefined) {
        if (!arrivals.delete(incident.id)) return;
        await incidents.setTimeToContain(incident.id, Math.round((t1 - t0) * 1000) / 1000, applied);
        return;
      }
      // A run started by hand (or resumed after a restart): from when the incident was raised.
      const current = await incidents.get(incident.id);
      const raised = Date.parse(current.phaseTimes.detected ?? current.createdAt);
      if (current.timeToContainMs === null && Number.isFinite(raised))
        await incidents.setTimeToContain(incident.id, Math.max(0, clock.now() - raised), applied);
    },
  });
  const runner = createPlaybookRunner({
    repo,
    incidents,
    execute,
    playbooks: () => playbooks,
    audit: deps.audit,
    ...queued,
    clock,
    onError,
  });
  const approvals = createApprovals({
    incidents,
    runner,
    audit: deps.audit,
    clock,
    ...(deps.roles ? { roles: deps.roles } : {}),
  });

  const handleAlert = async (raw: Alert) => {
    const t0 = timer.now();
    const alert = deps.enrichAlert ? await deps.enrichAlert(raw) : raw;
    const { incident, decision } = await incidents.ingest(alert);
    if (decision.kind === 'new' || decision.kind === 'reopen') {
      arrivals.set(incident.id, t0);
      // Incidents no playbook contains would otherwise stay here forever.
      if (arrivals.size > 10_000) arrivals.delete(arrivals.keys().next().value!);
    }
    if (decision.kind !== 'new')
      await runner.feedIncident(incident.id, {
        type: 'alert',
        at: new Date(clock.now()).toISOString(),
      });
    const started = [];
    if (decision.kind !== 'duplicate') {
      // Playbooks that contain at once start first: time to contain is not spent on others.
      const matching = [...playbooks.values()]
        .filter((p) => triggerMatches(p, alert, incident, deps.assets))
        .sort((a, b) => containsFirst(b) - containsFirst(a));
      for (const playbook of matching)
        started.push(await runner.start(playbook, incident, alert, 'respond'));
    }
    return { incident, decision, runs: started };
  };

  const playbook = (id: string) => {
    const p = playbooks.get(id);
    if (!p)
      throw respondError(
        RespondErrorCodes.RESPOND_PLAYBOOK_UNKNOWN,
        `no playbook "${id}" (loaded: ${[...playbooks.keys()].join(', ') || 'none'})`,
      );
    return p;
  };

  /**
   * The actions taken for one incident: those its playbook runs applied (`[run:…/` in the
   * reason) and those taken on one of its alerts (`[alert:…]`, e.g. the gateway's escalation
   * of repeated blocking-detection trips). Nothing another incident applied.
   */
  const actionsOf = async (incidentId: string) => {
    const tags = [
      ...(await runner.list({ incidentId })).map((r) => `[run:${r.id}/`),
      ...(await repo.alertsOf(incidentId)).map((a) => `[alert:${a.id}]`),
    ];
    return (await deps.actions.list({})).filter((a) => tags.some((t) => a.reason.includes(t)));
  };

  const suppressions = createSuppressions({ db: deps.store.db as never, audit: deps.audit, clock });
  const setPhase = async (id: string, phase: Phase, actor: string) => {
    const next = await incidents.setPhase(id, phase, actor);
    await runner.feedIncident(id, {
      type: 'phase',
      phase,
      at: new Date(clock.now()).toISOString(),
    });
    return next;
  };
  const falsePositives = createFalsePositives({
    repo,
    incidents,
    suppressions,
    lift: (id, actor) => liftContainment(id, actor),
    setPhase,
    audit: deps.audit,
    clock,
  });

  /** Lifts every containment action the incident applied (and nothing another one did). */
  async function liftContainment(id: string, actor: string): Promise<string[]> {
    await incidents.get(id);
    const lifted = [];
    for (const a of await actionsOf(id)) {
      if (a.liftedAt !== null) continue;
      const r = await deps.actions.lift(a.id, actor);
      if (r.status === 'lifted') lifted.push(a.id);
    }
    if (lifted.length > 0)
      await incidents.record(id, 'containment_lifted', actor, { actionIds: lifted });
    // A frozen training pipeline is containment too: the lift thaws what this incident froze.
    const thawed = await freezes.thawIncident(id, actor, `containment of ${id} lifted`);
    if (thawed.length > 0)
      await incidents.record(id, 'pipeline_thawed', actor, { freezeIds: thawed });
    return [...lifted, ...thawed];
  }

  let subscription: Subscription | null = null;
  let interval: NodeJS.Timeout | null = null;
  return {
    handleAlert,
    incidents,
    evidence,
    runner,
    approvals,
    async start(): Promise<void> {
      subscription = await deps.bus.subscribeDurable<unknown>(
        Subjects.alertRaised,
        'respond',
        async (message) => {
          const parsed = AlertSchema.safeParse(message.data);
          if (!parsed.success)
            return onError(
              respondError(
                RespondErrorCodes.RESPOND_INCIDENT_INVALID,
                `alert on ${message.subject} does not match the schema: ${parsed.error.issues[0]?.message}`,
              ),
            );
          if (!(await falsePositives.suppressed(parsed.data))) await handleAlert(parsed.data);
        },
      );
      await runner.resume();
      interval = setInterval(() => void runner.tick().catch(onError), deps.tickMs ?? 1000);
      interval.unref();
    },
    async close(): Promise<void> {
      if (interval) clearInterval(interval);
      await subscription?.unsubscribe();
      runner.stop();
      await runner.idle();
      await timer.close();
    },
    setPhase,
    suppressions,
    /** Training-pipeline freezes this responder's playbooks made (`freeze_pipeline`). */
    freezes,
    /** Files an alert unless a suppression covers it (what the bus subscription does). */
    async receive(alert: Alert) {
      const suppressed = await falsePositives.suppressed(alert);
      return suppressed ? { suppressed } : { suppressed: null, ...(await handleAlert(alert)) };
    },
    /** Closes an incident with a verdict; a false positive lifts its actions and suppresses it. */
    dispose: (id: string, o: DisposeOptions, actor: string) => falsePositives.dispose(id, o, actor),
    playbooks: {
      list: () => [...playbooks.values()],
      get: playbook,
      async reload() {
        if (deps.playbookDir)
          playbooks = new Map(
            (await loadPlaybookDir(deps.playbookDir, webhookNames)).map((p) => [p.id, p]),
          );
        return [...playbooks.values()];
      },
      /** What the playbook would do for an incident: no side effects. */
      async plan(id: string, incidentId: string) {
        const incident = await incidents.get(incidentId);
        return simulateRun(playbook(id), incident, (await repo.alertsOf(incidentId))[0] ?? null);
      },
      async run(id: string, incidentId: string, actor: string) {
        const incident = await incidents.get(incidentId);
        return runner.start(
          playbook(id),
          incident,
          (await repo.alertsOf(incidentId))[0] ?? null,
          actor,
        );
      },
    },
    metrics: async () => meanMetrics(await incidents.list({ limit: 10_000 })),
    /** Everything about one incident, as `incidents show` prints it. */
    async detail(id: string) {
      const incident = await incidents.get(id);
      return {
        incident,
        metrics: incidentMetrics(incident),
        techniques: incident.atlasTechniques.map((t) => ({ id: t, ...atlasTechnique(t) })),
        owasp: incident.owasp.map((o) => ({ id: o, title: owaspTitle(o) ?? null })),
        alerts: await repo.alertsOf(id),
        timeline: await incidents.timeline(id),
        tasks: await incidents.tasks({ incidentId: id }),
        evidence: await evidence.list(id),
        runs: await runner.list({ incidentId: id }),
        actions: await actionsOf(id),
      };
    },
    actionsOf,
    liftContainment,
    /** An evidence item's bytes; the read is recorded as a hand-over to `actor`. */
    /** An item's bytes; custody names the incident asked for (the same bytes may serve several). */
    async evidenceContent(digest: string, actor: string, incidentId?: string) {
      const item = (await evidence.list(incidentId)).find((e) => e.digest === digest);
      if (!item)
        throw respondError(RespondErrorCodes.RESPOND_EVIDENCE_UNKNOWN, `no evidence ${digest}`);
      const bytes = await store.get(digest);
      await deps.audit({
        type: 'respond.evidence.handed_over',
        actor,
        at: new Date(clock.now()).toISOString(),
        incidentId: item.incidentId,
        recipient: actor,
        digests: [digest],
      });
      return { item, bytes };
    },
  };
}
export type Responder = Awaited<ReturnType<typeof createResponder>>;
