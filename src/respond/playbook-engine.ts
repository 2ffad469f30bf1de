import { PHASES, type Phase } from './incident.js';
import type { Playbook, PlaybookStep } from './playbook-schema.js';

export const STEP_STATUSES = [
  'pending',
  'executing',
  'retry_wait',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StepState {
  status: StepStatus;
  attempts: number;
  retryAt: string | null;
  deadline: string | null;
  outcome: string | null; // 'approved by x', 'timed out', an error message…
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped';

/** Everything the engine knows about one run; persisted as JSON after every decision. */
export interface RunState {
  id: string;
  playbookId: string;
  incidentId: string;
  dryRun: boolean;
  status: RunStatus;
  cursor: number;
  steps: Record<string, StepState>;
  phase: Phase;
  lastAlertAt: string;
  tasksDone: string[];
  /** The key (or principal) whose alert started the run; one run per incident, playbook and subject. */
  subject?: string | null;
  /** Which opening of the incident the run belongs to (0 first; a re-opened incident runs again). */
  opening?: number;
}

export type RunEvent =
  | { type: 'start'; at: string }
  | { type: 'tick'; at: string }
  | {
      type: 'step_succeeded';
      stepId: string;
      at: string;
      outcome?: string;
      /** An approval step that needed no person (`unlessCorroborated` held): it is done. */
      decided?: boolean;
    }
  | { type: 'step_failed'; stepId: string; at: string; error: string; permanent?: boolean }
  | { type: 'approval'; stepId: string; decision: 'approved' | 'rejected'; by: string; at: string }
  | { type: 'alert'; at: string }
  | { type: 'task_done'; stepId: string; at: string }
  | { type: 'phase'; phase: Phase; at: string };

export type RunCommand =
  | { type: 'execute'; stepId: string; attempt: number }
  | { type: 'escalate'; stepId: string; reason: string }
  | { type: 'step_finished'; stepId: string; status: StepStatus; outcome: string | null }
  | { type: 'wake'; at: string }
  | { type: 'finished'; status: RunStatus };

/** A fresh run of a playbook for an incident, before its `start` event. */
export function newRun(
  id: string,
  playbook: Playbook,
  incidentId: string,
  phase: Phase,
  at: string,
  dryRun = false,
): RunState {
  const steps = Object.fromEntries(
    playbook.steps.map((s) => [
      s.id,
      { status: 'pending', attempts: 0, retryAt: null, deadline: null, outcome: null } as StepState,
    ]),
  );
  return {
    id,
    playbookId: playbook.id,
    incidentId,
    dryRun,
    status: 'running',
    cursor: 0,
    steps,
    phase,
    lastAlertAt: at,
    tasksDone: [],
  };
}

const plus = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();
const reached = (at: string, when: string | null) =>
  when !== null && Date.parse(at) >= Date.parse(when);

interface Decision {
  state: RunState;
  commands: RunCommand[];
}

function finishStep(
  d: Decision,
  step: PlaybookStep,
  status: StepStatus,
  outcome: string | null,
  stop: boolean,
  runStatus: RunStatus = 'failed',
): void {
  d.state.steps[step.id] = {
    ...d.state.steps[step.id]!,
    status,
    outcome,
    retryAt: null,
    deadline: null,
  };
  d.commands.push({ type: 'step_finished', stepId: step.id, status, outcome });
  if (stop) {
    d.state.status = runStatus;
    d.commands.push({ type: 'finished', status: d.state.status });
  } else d.state.cursor += 1;
}

function conditionHolds(
  step: Extract<PlaybookStep, { kind: 'wait' }>,
  state: RunState,
  at: string,
): boolean {
  const until = step.until;
  if ('quiet_for' in until)
    return Date.parse(at) - Date.parse(state.lastAlertAt) >= until.quiet_for;
  if ('task_done' in until) return state.tasksDone.includes(until.task_done);
  return PHASES.indexOf(state.phase) >= PHASES.indexOf(until.phase);
}

/** Starts the step under the cursor, or completes waits that already hold; loops until blocked. */
function advance(d: Decision, playbook: Playbook, at: string): void {
  while (d.state.status === 'running') {
    const step = playbook.steps[d.state.cursor];
    if (!step) {
      d.state.status = 'succeeded';
      d.commands.push({ type: 'finished', status: 'succeeded' });
      return;
    }
    const s = d.state.steps[step.id]!;
    if (s.status === 'pending') {
      if (step.kind === 'wait') {
        d.state.steps[step.id] = { ...s, status: 'waiting', deadline: plus(at, step.timeout) };
      } else {
        d.state.steps[step.id] = { ...s, status: 'executing', attempts: s.attempts + 1 };
        d.commands.push({ type: 'execute', stepId: step.id, attempt: s.attempts + 1 });
        return;
      }
    }
    const cur = d.state.steps[step.id]!;
    if (cur.status === 'retry_wait') {
      if (!reached(at, cur.retryAt))
        return void d.commands.push({ type: 'wake', at: cur.retryAt! });
      d.state.steps[step.id] = {
        ...cur,
        status: 'executing',
        attempts: cur.attempts + 1,
        retryAt: null,
      };
      d.commands.push({ type: 'execute', stepId: step.id, attempt: cur.attempts + 1 });
      return;
    }
    if (cur.status !== 'waiting') return; // executing: the adapter's answer is awaited
    if (step.kind === 'wait' && conditionHolds(step, d.state, at)) {
      finishStep(d, step, 'succeeded', 'condition met', false);
      continue;
    }
    if (reached(at, cur.deadline)) {
      const onTimeout = step.kind === 'wait' || step.kind === 'approval' ? step.onTimeout : 'stop';
      if (onTimeout === 'escalate')
        d.commands.push({ type: 'escalate', stepId: step.id, reason: 'timed out' });
      finishStep(d, step, 'failed', 'timed out', onTimeout === 'stop', 'stopped');
      continue;
    }
    if (cur.deadline) d.commands.push({ type: 'wake', at: cur.deadline });
    return;
  }
}

function onFailed(
  d: Decision,
  step: PlaybookStep,
  error: string,
  at: string,
  permanent: boolean,
): void {
  const s = d.state.steps[step.id]!;
  // A permanent failure (bad config, unknown target) would fail the same way again.
  if (!permanent && s.attempts < step.retry.attempts) {
    // Exponential backoff: backoff × 2^(attempt-1).
    const retryAt = plus(at, step.retry.backoff * 2 ** (s.attempts - 1));
    d.state.steps[step.id] = { ...s, status: 'retry_wait', retryAt, outcome: error };
    return;
  }
  d.commands.push({
    type: 'escalate',
    stepId: step.id,
    reason: `failed ${s.attempts} times: ${error}`,
  });
  // An approval that could not even be requested must never let the guarded steps run.
  finishStep(d, step, 'failed', error, step.kind === 'approval' || step.onFailure === 'stop');
}

function current(state: RunState, playbook: Playbook, stepId: string): PlaybookStep | undefined {
  const step = playbook.steps[state.cursor];
  return step?.id === stepId ? step : undefined;
}

/**
 * The playbook engine: a pure function of the run state and one event, returning the next
 * state and the commands adapters must carry out. Side effects live in the runner; like a
 * Temporal workflow, replaying the same events gives the same commands.
 */
export function decide(playbook: Playbook, prior: RunState, event: RunEvent): Decision {
  const d: Decision = { state: structuredClone(prior), commands: [] };
  if (d.state.status !== 'running') return d;
  const step = 'stepId' in event ? current(d.state, playbook, event.stepId) : undefined;
  switch (event.type) {
    case 'alert':
      d.state.lastAlertAt = event.at;
      break;
    case 'phase':
      if (PHASES.indexOf(event.phase) > PHASES.indexOf(d.state.phase)) d.state.phase = event.phase;
      break;
    case 'task_done':
      if (!d.state.tasksDone.includes(event.stepId)) d.state.tasksDone.push(event.stepId);
      break;
    case 'step_succeeded':
      if (step && d.state.steps[step.id]!.status === 'executing') {
        if (step.kind === 'approval' && event.decided !== true) {
          d.state.steps[step.id] = {
            ...d.state.steps[step.id]!,
            status: 'waiting',
            deadline: plus(event.at, step.timeout),
          };
        } else {
          if (
            step.kind === 'set_phase' &&
            PHASES.indexOf(step.phase) > PHASES.indexOf(d.state.phase)
          )
            d.state.phase = step.phase;
          finishStep(d, step, 'succeeded', event.outcome ?? null, false);
        }
      }
      break;
    case 'step_failed':
      if (step && d.state.steps[step.id]!.status === 'executing')
        onFailed(d, step, event.error, event.at, event.permanent === true);
      break;
    case 'approval':
      // Also while executing: a quick approver can decide before the adapter's answer lands;
      // that late answer is then ignored (the step is no longer current).
      if (
        step?.kind === 'approval' &&
        ['waiting', 'executing'].includes(d.state.steps[step.id]!.status)
      ) {
        const ok = event.decision === 'approved';
        finishStep(
          d,
          step,
          ok ? 'succeeded' : 'failed',
          `${event.decision} by ${event.by}`,
          !ok && step.onReject === 'stop',
          'stopped',
        );
      }
      break;
    case 'start':
    case 'tick':
      break;
  }
  advance(d, playbook, event.at);
  return d;
}

/** Steps whose execution was started but never answered (a crash): they run again on resume. */
export function unansweredSteps(state: RunState): string[] {
  return Object.entries(state.steps)
    .filter(([, s]) => s.status === 'executing')
    .map(([id]) => id);
}
