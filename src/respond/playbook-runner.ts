import { createId, type Alert, type Clock, type AuditEntry } from '../core/index.js';
import { runSubject } from './subject.js';
import { respondError, RespondErrorCodes } from './errors.js';
import type { Incident } from './incident.js';
import type { AuditFn, IncidentService } from './incident-service.js';
import {
  decide,
  newRun,
  unansweredSteps,
  type RunCommand,
  type RunEvent,
  type RunState,
} from './playbook-engine.js';
import type { Playbook } from './playbook-schema.js';
import type { RespondRepository } from './respond-repository.js';
import type { StepExecutor } from './step-adapters.js';

// Failures that would repeat on retry: a missing webhook, a template without a value, an
// unknown target, an invalid action. They are escalated at once.
const PERMANENT = new Set([
  'RESPOND_WEBHOOK_UNKNOWN',
  'RESPOND_TEMPLATE_INVALID',
  'ACTION_TARGET_UNKNOWN',
  'VALIDATION_FAILED',
]);
const isPermanent = (error: unknown) =>
  PERMANENT.has((error as { code?: string })?.code ?? '') || (error as Error)?.name === 'ZodError';

export interface PlaybookRunnerOptions {
  repo: RespondRepository;
  incidents: IncidentService;
  execute: StepExecutor;
  playbooks: () => ReadonlyMap<string, Playbook>;
  audit: AuditFn;
  auditQueued?: (entry: AuditEntry) => void;
  clock: Clock;
  onError?: (error: unknown) => void;
}

/**
 * Runs playbooks durably: every decision of the pure engine is persisted before its commands
 * are carried out, step results are recorded per attempt (a recorded result is never redone),
 * and `resume` picks up every unfinished run after a restart.
 */
export function createPlaybookRunner(options: PlaybookRunnerOptions) {
  const { repo, incidents, audit, clock } = options;
  const now = () => new Date(clock.now()).toISOString();
  const queues = new Map<string, Promise<void>>();
  const inflight = new Set<Promise<unknown>>();
  const alerts = new Map<string, Alert | null>(); // trigger alert per run, for templates
  const wakeTimers = new Map<string, { at: string; timer: NodeJS.Timeout }>();

  // A step's promise must never reject unobserved: reported, it cannot take the process down.
  const track = (p: Promise<unknown>) => {
    const handled = p.catch((e: unknown) => options.onError?.(e));
    inflight.add(handled);
    void handled.finally(() => inflight.delete(handled));
  };
  const playbookOf = (state: RunState) => {
    const pb = options.playbooks().get(state.playbookId);
    if (!pb)
      throw respondError(
        RespondErrorCodes.RESPOND_PLAYBOOK_UNKNOWN,
        `run ${state.id}: playbook ${state.playbookId} is no longer loaded`,
      );
    return pb;
  };

  /** Applies one event to a run, persists the new state, then carries out the commands. */
  const feed = (runId: string, event: RunEvent): Promise<void> => {
    const prior = queues.get(runId) ?? Promise.resolve();
    const next = prior.then(async () => {
      const state = await repo.getRun(runId);
      if (!state || state.status !== 'running') return;
      const playbook = playbookOf(state);
      const d = decide(playbook, state, event);
      // Ticks that change nothing write nothing.
      if (
        d.commands.some((c) => c.type !== 'wake') ||
        JSON.stringify(d.state) !== JSON.stringify(state)
      )
        await repo.saveRun(d.state, event.at);
      for (const command of d.commands) await carryOut(d.state, playbook, command);
    });
    const settled = next.catch((e: unknown) => options.onError?.(e));
    queues.set(runId, settled);
    track(settled);
    return next;
  };

  const carryOut = async (state: RunState, playbook: Playbook, command: RunCommand) => {
    const base = {
      actor: `playbook:${playbook.id}`,
      at: now(),
      runId: state.id,
      playbookId: playbook.id,
      incidentId: state.incidentId,
    };
    switch (command.type) {
      case 'execute':
        track(runStep(state, playbook, command.stepId, command.attempt));
        break;
      case 'escalate': {
        const step = playbook.steps.find((s) => s.id === command.stepId)!;
        await incidents.addTask(
          state.incidentId,
          {
            title: `Playbook ${playbook.id}, step ${step.id} (${step.kind}) ${command.reason}: do it by hand`,
            kind: 'task',
            role: null,
            runId: state.id,
            stepId: null,
          },
          base.actor,
        );
        await audit({
          type: 'respond.playbook.escalated',
          ...base,
          stepId: command.stepId,
          reason: command.reason,
        });
        break;
      }
      case 'step_finished':
        await incidents.record(state.incidentId, 'playbook_step', base.actor, {
          runId: state.id,
          stepId: command.stepId,
          status: command.status,
          outcome: command.outcome,
        });
        break;
      case 'finished':
        await incidents.record(state.incidentId, 'playbook_finished', base.actor, {
          runId: state.id,
          status: command.status,
        });
        alerts.delete(state.id);
        break;
      case 'wake': {
        // Retries and timeouts wake the run on time (one timer per run); the tick is the net.
        const prior = wakeTimers.get(state.id);
        if (prior?.at === command.at) break;
        if (prior) clearTimeout(prior.timer);
        const delay = Math.min(2 ** 31 - 1, Math.max(0, Date.parse(command.at) - clock.now()) + 1);
        const timer = setTimeout(() => {
          wakeTimers.delete(state.id);
          void feed(state.id, { type: 'tick', at: now() }).catch(() => {});
        }, delay);
        timer.unref();
        wakeTimers.set(state.id, { at: command.at, timer });
        break;
      }
    }
  };

  const runStep = async (state: RunState, playbook: Playbook, stepId: string, attempt: number) => {
    const step = playbook.steps.find((s) => s.id === stepId)!;
    const done = (await repo.stepRecords(state.id, stepId)).find((r) => r.attempt === attempt);
    let event: RunEvent;
    if (done) {
      event =
        done.status === 'succeeded'
          ? {
              type: 'step_succeeded',
              stepId,
              at: now(),
              outcome: String(done.result.outcome),
              ...(done.result.decided === true ? { decided: true } : {}),
            }
          : {
              type: 'step_failed',
              stepId,
              at: now(),
              error: String(done.result.error),
              permanent: done.result.permanent === true,
            };
    } else {
      const incident = await incidents.get(state.incidentId);
      try {
        const result = await options.execute(step, {
          run: state,
          playbook,
          incident,
          alert: alerts.get(state.id) ?? (await repo.alertsOf(state.incidentId))[0] ?? null,
          attempt,
        });
        await repo.recordStep({
          runId: state.id,
          stepId,
          attempt,
          status: 'succeeded',
          at: now(),
          result: { outcome: result.outcome, ...result.data },
        });
        event = {
          type: 'step_succeeded',
          stepId,
          at: now(),
          outcome: result.outcome,
          ...(result.data?.decided === true ? { decided: true } : {}),
        };
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        await repo.recordStep({
          runId: state.id,
          stepId,
          attempt,
          status: 'failed',
          at: now(),
          result: { error: message, permanent: isPermanent(error) },
        });
        event = {
          type: 'step_failed',
          stepId,
          at: now(),
          error: message,
          permanent: isPermanent(error),
        };
      }
      // The step happened whatever the audit ledger says: a failed write (its loss is counted
      // and alerted by the ledger) must not stall the run, so the event is fed regardless.
      await audit({
        type: 'respond.playbook.step',
        actor: `playbook:${playbook.id}`,
        at: now(),
        runId: state.id,
        playbookId: playbook.id,
        incidentId: state.incidentId,
        stepId,
        kind: step.kind,
        attempt,
        status: event.type === 'step_succeeded' ? 'succeeded' : 'failed',
        outcome: event.type === 'step_succeeded' ? event.outcome : event.error,
      }).catch((e: unknown) => options.onError?.(e));
    }
    await feed(state.id, event);
  };

  return {
    /** Starts a playbook for an incident (once per incident, playbook, subject and opening). */
    async start(
      playbook: Playbook,
      incident: Incident,
      alert: Alert | null,
      actor: string,
    ): Promise<RunState> {
      // A second attacker joining an open incident gets its own run, so it is contained too.
      const subject = runSubject(alert);
      const opening = incident.reopenings?.length ?? 0;
      const existing = (await repo.listRuns({ incidentId: incident.id })).find(
        (r) =>
          r.playbookId === playbook.id &&
          (r.subject ?? null) === subject &&
          (r.opening ?? 0) === opening,
      );
      if (existing) return existing;
      const at = now();
      const initial = {
        ...newRun(createId('run', clock.now()), playbook, incident.id, incident.phase, at),
        subject,
        opening,
      };
      alerts.set(initial.id, alert);
      // The start is decided before the first write: one commit, then the first step runs.
      const d = decide(playbook, initial, { type: 'start', at });
      await repo.saveRun(d.state, at);
      const entry: AuditEntry = {
        type: 'respond.playbook.started',
        actor,
        at,
        runId: initial.id,
        playbookId: playbook.id,
        incidentId: incident.id,
      };
      if (options.auditQueued) options.auditQueued(entry);
      else await audit(entry);
      const run = d.state;
      const work = (async () => {
        for (const command of d.commands) await carryOut(run, playbook, command);
      })();
      queues.set(
        run.id,
        work.catch((e: unknown) => options.onError?.(e)),
      );
      await work;
      await incidents.record(incident.id, 'playbook_started', actor, {
        runId: run.id,
        playbookId: playbook.id,
      });
      return (await repo.getRun(run.id))!;
    },
    feed,
    /** Feeds an event to every running run of an incident (alerts, phase changes). */
    async feedIncident(incidentId: string, event: RunEvent): Promise<void> {
      for (const run of await repo.listRuns({ incidentId, status: 'running' }))
        await feed(run.id, event);
    },
    /** After a restart: steps that were executing run again (a recorded result is reused). */
    async resume(): Promise<number> {
      const runs = await repo.listRuns({ status: 'running' });
      for (const run of runs) {
        for (const stepId of unansweredSteps(run))
          track(runStep(run, playbookOf(run), stepId, run.steps[stepId]!.attempts));
        await feed(run.id, { type: 'tick', at: now() });
      }
      return runs.length;
    },
    /** Wakes every running run (retries, wait conditions, timeouts). */
    async tick(): Promise<void> {
      const at = now();
      for (const run of await repo.listRuns({ status: 'running' }))
        await feed(run.id, { type: 'tick', at });
    },
    get: (id: string) => repo.getRun(id),
    list: (filter: { status?: string; incidentId?: string } = {}) => repo.listRuns(filter),
    steps: (runId: string) => repo.stepRecords(runId),
    /** Resolves when nothing is queued or executing (tests and shutdown). */
    /** Stops the wake timers (shutdown). */
    stop(): void {
      for (const { timer } of wakeTimers.values()) clearTimeout(timer);
      wakeTimers.clear();
    },
    async idle(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
export type PlaybookRunner = ReturnType<typeof createPlaybookRunner>;
