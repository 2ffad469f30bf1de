import { canonicalJson, type Alert } from '../core/index.js';
import type { Incident } from './incident.js';
import {
  decide,
  newRun,
  type RunCommand,
  type RunEvent,
  type RunState,
} from './playbook-engine.js';
import type { Playbook, PlaybookStep } from './playbook-schema.js';
import { templateContext } from './step-adapters.js';
import { renderTemplate } from './template.js';

export interface PlannedStep {
  stepId: string;
  kind: PlaybookStep['kind'];
  description: string;
}

function describe(step: PlaybookStep, incident: Incident, alert: Alert | null): string {
  const ctx = templateContext(incident, alert);
  const render = <T>(v: T): T | string => {
    try {
      return renderTemplate(v, ctx);
    } catch (e) {
      return `(${(e as Error).message})`;
    }
  };
  switch (step.kind) {
    case 'contain':
      return `apply ${step.action.kind} ${canonicalJson(render(step.action))} at every gateway`;
    case 'snapshot_evidence':
      return `snapshot ${step.items.join(', ')} of ${incident.assets.join(', ') || 'no model'} (window ${step.window / 1000}s) into the evidence store`;
    case 'notify':
      return `post to webhook ${step.webhook}: ${String(render(step.text))}`;
    case 'task':
      return `open task "${String(render(step.title))}"${step.role ? ` for ${step.role}` : ''}`;
    case 'approval':
      return `ask role ${step.role} to approve: ${String(render(step.prompt))} (timeout ${step.timeout / 1000}s, then ${step.onTimeout})`;
    case 'freeze_pipeline':
      return `freeze the training pipeline of ${step.datasets.join(', ')} through hook ${step.hook} (${String(render(step.reason))}); new snapshots refused until the incident is lifted`;
    case 'set_phase':
      return `move the incident to ${step.phase}`;
    case 'wait':
      return `wait until ${canonicalJson(step.until)} (timeout ${step.timeout / 1000}s, then ${step.onTimeout})`;
  }
}

/**
 * What a run would do, step by step, with no side effect: the engine itself is driven with
 * every step succeeding, approvals granted and wait conditions met (the `--dry-run` view).
 */
export function simulateRun(
  playbook: Playbook,
  incident: Incident,
  alert: Alert | null,
  at = new Date().toISOString(),
): PlannedStep[] {
  let state: RunState = newRun('dry-run', playbook, incident.id, incident.phase, at, true);
  const plan: PlannedStep[] = [];
  const feed = (event: RunEvent): RunCommand[] => {
    const d = decide(playbook, state, event);
    state = d.state;
    return d.commands;
  };
  let commands = feed({ type: 'start', at });
  for (let guard = 0; guard < playbook.steps.length * 4 && state.status === 'running'; guard++) {
    const exec = commands.find((c) => c.type === 'execute');
    const step = playbook.steps[state.cursor]!;
    if (exec || state.steps[step.id]!.status === 'waiting') {
      if (exec)
        plan.push({
          stepId: step.id,
          kind: step.kind,
          description: describe(step, incident, alert),
        });
      if (exec) commands = feed({ type: 'step_succeeded', stepId: step.id, at });
      else if (step.kind === 'approval')
        commands = feed({
          type: 'approval',
          stepId: step.id,
          decision: 'approved',
          by: '(dry run)',
          at,
        });
      else if (step.kind === 'wait') {
        plan.push({
          stepId: step.id,
          kind: step.kind,
          description: describe(step, incident, alert),
        });
        const until = step.until;
        if ('task_done' in until)
          commands = feed({ type: 'task_done', stepId: until.task_done, at });
        else if ('phase' in until) commands = feed({ type: 'phase', phase: until.phase, at });
        else
          commands = feed({
            type: 'tick',
            at: new Date(Date.parse(state.lastAlertAt) + until.quiet_for).toISOString(),
          });
      }
    } else break;
  }
  return plan;
}
