import { describe, expect, it } from 'vitest';
import { parsePlaybook } from './load-playbook.js';
import { decide, newRun, type RunEvent, type RunState } from './playbook-engine.js';
import type { Playbook } from './playbook-schema.js';

const yaml = `
id: test
name: Test
trigger: { kinds: [extraction] }
steps:
  - id: throttle
    kind: contain
    action: { kind: rate_limit, keyId: "{{alert.keyId}}", ratePerSecond: 1, burst: 2 }
    retry: { attempts: 2, backoff: 1s }
  - id: ok
    kind: approval
    role: soc-lead
    prompt: Revoke?
    timeout: 1h
  - id: check
    kind: task
    title: Check the logs
  - id: settle
    kind: wait
    until: { task_done: check }
    timeout: 10m
    onTimeout: escalate
  - id: done
    kind: set_phase
    phase: contained
`;

function playbook(): Playbook {
  const r = parsePlaybook(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.playbook;
}

const T0 = '2026-01-01T00:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function run(events: RunEvent[]): { state: RunState; commands: unknown[] } {
  const pb = playbook();
  let state = newRun('run_1', pb, 'inc_1', 'detected', T0);
  const commands: unknown[] = [];
  for (const e of events) {
    const d = decide(pb, state, e);
    state = d.state;
    commands.push(...d.commands);
  }
  return { state, commands };
}

describe('playbook engine', () => {
  it('executes the first step when the run starts', () => {
    const { state, commands } = run([{ type: 'start', at: T0 }]);
    expect(commands).toEqual([{ type: 'execute', stepId: 'throttle', attempt: 1 }]);
    expect(state.steps.throttle!.status).toBe('executing');
  });

  it('retries a failed step after its backoff, then escalates and moves on', () => {
    const { state, commands } = run([
      { type: 'start', at: T0 },
      { type: 'step_failed', stepId: 'throttle', at: at(0), error: 'boom' },
      { type: 'tick', at: at(0.5) },
      { type: 'tick', at: at(1) },
      { type: 'step_failed', stepId: 'throttle', at: at(1), error: 'boom again' },
    ]);
    expect(commands.filter((c) => (c as { type: string }).type === 'execute')).toEqual([
      { type: 'execute', stepId: 'throttle', attempt: 1 },
      { type: 'execute', stepId: 'throttle', attempt: 2 },
      { type: 'execute', stepId: 'ok', attempt: 1 },
    ]);
    expect(commands).toContainEqual({
      type: 'escalate',
      stepId: 'throttle',
      reason: 'failed 2 times: boom again',
    });
    expect(state.steps.throttle!.status).toBe('failed');
  });

  it('waits for an approval and stops the run when it is rejected', () => {
    const { state } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'throttle', at: at(1) },
      { type: 'step_succeeded', stepId: 'ok', at: at(1) },
      { type: 'tick', at: at(60) },
      { type: 'approval', stepId: 'ok', decision: 'rejected', by: 'bob', at: at(61) },
    ]);
    expect(state.steps.ok!.outcome).toBe('rejected by bob');
    expect(state.status).toBe('stopped');
  });

  it('runs to the end once approved and the awaited task is done', () => {
    const { state, commands } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'throttle', at: at(1) },
      { type: 'step_succeeded', stepId: 'ok', at: at(1) },
      { type: 'approval', stepId: 'ok', decision: 'approved', by: 'ann', at: at(2) },
      { type: 'step_succeeded', stepId: 'check', at: at(2) },
      { type: 'task_done', stepId: 'check', at: at(3) },
      { type: 'step_succeeded', stepId: 'done', at: at(3) },
    ]);
    expect(state.status).toBe('succeeded');
    expect(state.phase).toBe('contained');
    expect(commands.at(-1)).toEqual({ type: 'finished', status: 'succeeded' });
  });

  it('escalates a wait that times out and continues', () => {
    const { state, commands } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'throttle', at: at(1) },
      { type: 'step_succeeded', stepId: 'ok', at: at(1) },
      { type: 'approval', stepId: 'ok', decision: 'approved', by: 'ann', at: at(2) },
      { type: 'step_succeeded', stepId: 'check', at: at(2) },
      { type: 'tick', at: at(700) },
    ]);
    expect(commands).toContainEqual({ type: 'escalate', stepId: 'settle', reason: 'timed out' });
    expect(state.steps.done!.status).toBe('executing');
  });

  it('ignores answers for steps that are not current, so replays are harmless', () => {
    const { state, commands } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'done', at: at(1) },
      { type: 'approval', stepId: 'ok', decision: 'approved', by: 'x', at: at(1) },
    ]);
    expect(commands).toHaveLength(1);
    expect(state.cursor).toBe(0);
  });

  it('takes an approval that arrives before the approval request was acknowledged', () => {
    const { state } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'throttle', at: at(1) },
      { type: 'approval', stepId: 'ok', decision: 'approved', by: 'ann', at: at(1) },
      { type: 'step_succeeded', stepId: 'ok', at: at(2) },
    ]);
    expect(state.steps.ok!).toMatchObject({ status: 'succeeded', outcome: 'approved by ann' });
    expect(state.steps.check!.status).toBe('executing');
  });

  it('stops the run when an approval cannot be requested, whatever onFailure says', () => {
    const { state } = run([
      { type: 'start', at: T0 },
      { type: 'step_succeeded', stepId: 'throttle', at: at(1) },
      { type: 'step_failed', stepId: 'ok', at: at(1), error: 'store down', permanent: true },
    ]);
    expect(state.status).toBe('failed');
    expect(state.steps.check!.status).toBe('pending');
  });
});
