import type { Clock } from '../core/index.js';
import { respondError, RespondErrorCodes } from './errors.js';
import type { AuditFn, IncidentService } from './incident-service.js';
import type { PlaybookRunner } from './playbook-runner.js';

export interface ApprovalsOptions {
  incidents: IncidentService;
  runner: PlaybookRunner;
  audit: AuditFn;
  clock: Clock;
  roles?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Approvals and tasks: a decision by the wrong role, or by the identity that started the run
 * asking for it (four-eyes), is refused and recorded, never applied.
 */
export function createApprovals(options: ApprovalsOptions) {
  const { incidents, runner } = options;
  const at = () => new Date(options.clock.now()).toISOString();
  // Four-eyes: whoever started the playbook run asked for its approvals.
  const requesterOf = async (incidentId: string, runId: string | null) => {
    if (!runId) return undefined;
    const started = (await incidents.timeline(incidentId)).find(
      (e) => e.type === 'playbook_started' && (e.data as { runId?: unknown }).runId === runId,
    );
    return started?.actor;
  };
  return {
    list: (filter: { status?: string; incidentId?: string } = {}) =>
      incidents.tasks({ kind: 'approval', ...filter }),
    async decide(taskId: string, decision: 'approved' | 'rejected', actor: string, role: string) {
      const task = await incidents.getTask(taskId);
      if (!task || task.kind !== 'approval')
        throw respondError(RespondErrorCodes.RESPOND_APPROVAL_UNKNOWN, `no approval ${taskId}`);
      if (task.status !== 'open')
        throw respondError(
          RespondErrorCodes.RESPOND_APPROVAL_DECIDED,
          `approval ${taskId} was already ${task.status} by ${task.doneBy}`,
        );
      const requester = await requesterOf(task.incidentId, task.runId);
      if (requester === actor) {
        await incidents.record(task.incidentId, 'approval_refused', actor, {
          taskId,
          decision,
          role,
          reason: 'four-eyes: the approver started the run that asks for the approval',
        });
        throw respondError(
          RespondErrorCodes.RESPOND_APPROVAL_SELF,
          `approval ${taskId} was requested by ${actor}; another identity must decide it (refusal recorded)`,
        );
      }
      const held = options.roles ? (options.roles[actor] ?? []) : [role];
      if (role !== task.role || !held.includes(role)) {
        await incidents.record(task.incidentId, 'approval_refused', actor, {
          taskId,
          decision,
          role,
          required: task.role,
        });
        throw respondError(
          RespondErrorCodes.RESPOND_APPROVAL_WRONG_ROLE,
          `approval ${taskId} needs role ${task.role}; ${actor} ${role === task.role ? 'does not hold it' : `acted as ${role}`} (refusal recorded)`,
        );
      }
      const closed = await incidents.closeTask(taskId, decision, actor, { role });
      if (task.runId && task.stepId)
        await runner.feed(task.runId, {
          type: 'approval',
          stepId: task.stepId,
          decision,
          by: actor,
          at: at(),
        });
      return closed;
    },
    async completeTask(taskId: string, actor: string) {
      const task = await incidents.getTask(taskId);
      if (!task || task.kind !== 'task')
        throw respondError(RespondErrorCodes.RESPOND_APPROVAL_UNKNOWN, `no task ${taskId}`);
      if (task.status !== 'open') return task;
      const closed = await incidents.closeTask(taskId, 'done', actor);
      if (task.runId && task.stepId)
        await runner.feed(task.runId, { type: 'task_done', stepId: task.stepId, at: at() });
      return closed;
    },
  };
}
