import {
  canonicalJson,
  ContainmentActionSchema,
  type Alert,
  type AppliedAction,
} from '../core/index.js';
import type { ActionService } from './action-service.js';
import { alertKeyId, planRateLimit } from './containment-rules.js';
import { respondError, RespondErrorCodes } from './errors.js';
import type { EvidenceService } from './evidence-service.js';
import type { Incident } from './incident.js';
import type { IncidentService } from './incident-service.js';
import { sendWebhook, type WebhookTarget } from './notify.js';
import type { RunState } from './playbook-engine.js';
import type { Playbook, PlaybookStep } from './playbook-schema.js';
import type { PipelineFreezes } from './pipeline-freeze.js';
import { renderTemplate } from './template.js';

export interface StepContext {
  run: RunState;
  playbook: Playbook;
  incident: Incident;
  alert: Alert | null;
  attempt: number;
}

export interface StepResult {
  outcome: string;
  data?: Record<string, unknown>;
}

/** Where snapshots come from; the composition root reads the ledger, config and detectors. */
export interface EvidenceSources {
  artifact(model: string): Promise<{ bytes: Uint8Array; name: string } | null>;
  events(model: string, from: string, to: string): Promise<unknown[]>;
  detectorState(model: string): Promise<unknown>;
  config(model: string): Promise<unknown>;
}

export interface StepAdapterDeps {
  actions: ActionService;
  incidents: IncidentService;
  evidence: EvidenceService;
  sources: EvidenceSources;
  webhooks: Readonly<Record<string, WebhookTarget>>;
  /** Training-pipeline freezes (`freeze_pipeline` steps); without it such steps fail. */
  freezes?: PipelineFreezes;
  /** Called after a containment action is applied (time-to-contain is measured there). */
  onContainment?: (incident: Incident, applied: AppliedAction) => Promise<void>;
}

/** The values playbook templates can name: `{{alert.keyId}}`, `{{incident.id}}`… */
export function templateContext(incident: Incident, alert: Alert | null): Record<string, unknown> {
  const keyId = alert ? alertKeyId(alert) : undefined;
  return {
    alert: alert && { ...alert, keyId },
    // The triggering alert's model first: an incident merged by hand may span models, and
    // an approval or rollback must name the model this run is about.
    incident: {
      ...incident,
      model: alert?.model ?? incident.assets[0],
      principal: incident.principals[0],
    },
  };
}

/**
 * The subjects of open, not disposed-of incidents that report the alert's technique family on
 * its model with at least `minConfidence`: independent signals when there are several.
 */
async function corroboratingSubjects(
  incidents: IncidentService,
  alert: Alert,
  minConfidence: number,
): Promise<string[]> {
  if (alert.model === null) return [];
  const open = await incidents.list({ open: true, limit: 1000 });
  const subjects = open
    .filter(
      (i) =>
        !i.disposition &&
        i.assets.includes(alert.model!) &&
        i.kinds.includes(alert.kind) &&
        i.confidence >= minConfidence,
    )
    .flatMap((i) => i.subjects ?? []);
  return [...new Set(subjects)].sort();
}

const tag = (ctx: StepContext, step: PlaybookStep) => `[run:${ctx.run.id}/step:${step.id}]`;

/** The side-effect half of the engine: one function per step kind. */
export function createStepAdapters(deps: StepAdapterDeps) {
  const actor = (ctx: StepContext) => `playbook:${ctx.playbook.id}`;

  async function contain(
    step: Extract<PlaybookStep, { kind: 'contain' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    const action = ContainmentActionSchema.parse(
      renderTemplate(step.action, templateContext(ctx.incident, ctx.alert)),
    );
    const all = await deps.actions.list({});
    // Idempotent: an action already applied for this run and step (before a crash) is reused.
    const existing = all.find((a) => a.reason.endsWith(tag(ctx, step)));
    const plan = existing ? null : planRateLimit(action, all);
    if (plan?.kind === 'keep') {
      await deps.onContainment?.(ctx.incident, plan.applied);
      return {
        outcome: `kept ${plan.applied.action.kind} ${plan.applied.id} (${plan.why}) instead of ${canonicalJson(action)}`,
        data: { actionId: plan.applied.id },
      };
    }
    const toApply = plan?.action ?? action;
    const applied =
      existing ??
      (await deps.actions.apply(
        toApply,
        `${step.name ?? step.id} for incident ${ctx.incident.id} ${tag(ctx, step)}`,
        actor(ctx),
      ));
    await deps.onContainment?.(ctx.incident, applied);
    return {
      outcome: `${existing ? 'already applied' : 'applied'} ${toApply.kind} ${canonicalJson(existing?.action ?? toApply)} as ${applied.id}`,
      data: { actionId: applied.id },
    };
  }

  async function snapshot(
    step: Extract<PlaybookStep, { kind: 'snapshot_evidence' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    const ids: string[] = [];
    const to = new Date().toISOString();
    const from = new Date(Date.parse(to) - step.window).toISOString();
    const put = async (kind: string, bytes: Uint8Array, mediaType: string, description: string) => {
      ids.push(
        (
          await deps.evidence.collect(
            { incidentId: ctx.incident.id, kind, bytes, mediaType, description },
            actor(ctx),
          )
        ).digest,
      );
    };
    const json = (v: unknown) => Buffer.from(canonicalJson(v ?? null));
    for (const model of ctx.incident.assets) {
      for (const item of step.items) {
        if (item === 'artifact') {
          const artifact = await deps.sources.artifact(model);
          if (artifact)
            await put(
              'artifact',
              artifact.bytes,
              'application/octet-stream',
              `${model} artifact ${artifact.name}`,
            );
        } else if (item === 'events')
          await put(
            'events',
            json(await deps.sources.events(model, from, to)),
            'application/json',
            `${model} inference events ${from} → ${to}`,
          );
        else if (item === 'detector_state')
          await put(
            'detector_state',
            json(await deps.sources.detectorState(model)),
            'application/json',
            `${model} detector state`,
          );
        else if (item === 'config')
          await put(
            'config',
            json(await deps.sources.config(model)),
            'application/json',
            `${model} configuration`,
          );
      }
    }
    if (step.items.includes('alerts'))
      await put(
        'alerts',
        json(await deps.incidents.get(ctx.incident.id)),
        'application/json',
        'incident and its alerts',
      );
    return { outcome: `collected ${ids.length} evidence item(s)`, data: { digests: ids } };
  }

  async function notify(
    step: Extract<PlaybookStep, { kind: 'notify' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    const target = deps.webhooks[step.webhook];
    if (!target)
      throw respondError(
        RespondErrorCodes.RESPOND_WEBHOOK_UNKNOWN,
        `no webhook "${step.webhook}" is configured`,
      );
    const text = renderTemplate(step.text, templateContext(ctx.incident, ctx.alert));
    const i = ctx.incident;
    const fields = {
      incident: i.id,
      severity: i.severity.override?.severity ?? i.severity.computed,
      phase: i.phase,
      models: i.assets.join(', ') || '-',
      playbook: ctx.playbook.id,
    };
    const { status } = await sendWebhook(target, { text, fields });
    return { outcome: `webhook ${step.webhook} answered ${status}` };
  }

  async function task(
    step: Extract<PlaybookStep, { kind: 'task' | 'approval' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    if (step.kind === 'approval' && step.unlessCorroborated && ctx.alert) {
      const agree = await corroboratingSubjects(
        deps.incidents,
        ctx.alert,
        step.unlessCorroborated.minConfidence,
      );
      if (agree.length >= step.unlessCorroborated.subjects)
        return {
          outcome: `approved without a person: ${agree.length} subjects agree (${agree.slice(0, 5).join(', ')})`,
          data: { decided: true, subjects: agree },
        };
    }
    const open = await deps.incidents.tasks({ incidentId: ctx.incident.id });
    const existing = open.find((t) => t.runId === ctx.run.id && t.stepId === step.id);
    const title = step.kind === 'task' ? step.title : step.prompt;
    const created =
      existing ??
      (await deps.incidents.addTask(
        ctx.incident.id,
        {
          title: renderTemplate(title, templateContext(ctx.incident, ctx.alert)),
          kind: step.kind,
          role: step.role ?? null,
          runId: ctx.run.id,
          stepId: step.id,
        },
        actor(ctx),
      ));
    let unsent = '';
    if (!existing && step.kind === 'approval' && step.notify) {
      // The approval stands without its notification; the person is told to ask by hand.
      unsent = await requestApproval(step, ctx, created.id, created.title).then(
        () => '',
        async (e: unknown) => {
          const why = (e as Error).message;
          await deps.incidents.addTask(
            ctx.incident.id,
            {
              title: `Approval ${created.id} could not be posted (${why}): ask role ${step.role} by hand`,
              kind: 'task',
              role: null,
              runId: ctx.run.id,
              stepId: null,
            },
            actor(ctx),
          );
          return ` (request not posted: ${why})`;
        },
      );
    }
    return {
      outcome: `${step.kind} ${created.id}${step.role ? ` for role ${step.role}` : ''}${unsent}`,
      data: { taskId: created.id },
    };
  }

  async function requestApproval(
    step: Extract<PlaybookStep, { kind: 'approval' }>,
    ctx: StepContext,
    taskId: string,
    prompt: string,
  ) {
    const target = deps.webhooks[step.notify!];
    if (!target)
      throw respondError(
        RespondErrorCodes.RESPOND_WEBHOOK_UNKNOWN,
        `no webhook "${step.notify}" is configured`,
      );
    const text = `Approval needed (${step.role}) for incident ${ctx.incident.id}: ${prompt}\nApprove: \`aisoc approvals approve ${taskId} --role ${step.role}\` (or reject), or POST /api/v1/approvals/${taskId} {"decision":"approved","role":"${step.role}"}`;
    await sendWebhook(target, {
      text,
      fields: {
        incident: ctx.incident.id,
        approval: taskId,
        role: step.role,
        playbook: ctx.playbook.id,
      },
    });
  }

  async function freezePipeline(
    step: Extract<PlaybookStep, { kind: 'freeze_pipeline' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    if (!deps.freezes)
      throw respondError(
        RespondErrorCodes.RESPOND_WEBHOOK_UNKNOWN,
        'pipeline freezes are not available in this responder',
      );
    const { freeze, created } = await deps.freezes.freeze({
      incidentId: ctx.incident.id,
      hook: step.hook,
      datasets: step.datasets,
      reason: renderTemplate(step.reason, templateContext(ctx.incident, ctx.alert)),
      actor: actor(ctx),
    });
    if (created)
      await deps.incidents.record(ctx.incident.id, 'pipeline_frozen', actor(ctx), {
        freezeId: freeze.id,
        hook: freeze.hook,
        datasets: freeze.datasets,
      });
    return {
      outcome: `${created ? 'froze' : 'already froze'} ${freeze.datasets.join(', ')} through ${freeze.hook}`,
      data: { freezeId: freeze.id },
    };
  }

  async function setPhase(
    step: Extract<PlaybookStep, { kind: 'set_phase' }>,
    ctx: StepContext,
  ): Promise<StepResult> {
    const current = await deps.incidents.get(ctx.incident.id);
    if (current.phase === step.phase) return { outcome: `already ${step.phase}` };
    const next = await deps.incidents
      .setPhase(ctx.incident.id, step.phase, actor(ctx))
      .catch((e: unknown) => {
        if ((e as { code?: string }).code === RespondErrorCodes.RESPOND_PHASE_INVALID) return null;
        throw e;
      });
    return {
      outcome: next ? `phase ${step.phase}` : `already past ${step.phase} (${current.phase})`,
    };
  }

  return async (step: PlaybookStep, ctx: StepContext): Promise<StepResult> => {
    switch (step.kind) {
      case 'contain':
        return contain(step, ctx);
      case 'snapshot_evidence':
        return snapshot(step, ctx);
      case 'notify':
        return notify(step, ctx);
      case 'task':
      case 'approval':
        return task(step, ctx);
      case 'freeze_pipeline':
        return freezePipeline(step, ctx);
      case 'set_phase':
        return setPhase(step, ctx);
      case 'wait':
        return { outcome: 'waiting' };
    }
  };
}
export type StepExecutor = ReturnType<typeof createStepAdapters>;
