import { describe, expect, it } from 'vitest';
import type { Alert, AppliedAction, TimelineEntry } from '../api/types';
import { assembleTimeline } from './timeline';

const alert = (id: string, time: string): Alert => ({
  id,
  time,
  detector: 'extraction.network.step',
  kind: 'extraction',
  model: 'breast-cancer',
  principal: 'mallory',
  severity: 'medium',
  confidence: 0.7,
  title: 'repeated steps',
  atlasTechniques: [],
  owasp: [],
  evidence: {},
  eventIds: [],
});
const action = (id: string, appliedAt: string, liftedAt: string | null = null): AppliedAction => ({
  id,
  action: { kind: 'rate_limit', keyId: 'key_1' },
  reason: 'throttle',
  actor: 'playbook:model-extraction',
  appliedAt,
  liftedAt,
});

describe('assembling the incident timeline', () => {
  it('merges record, alerts and actions in time order, alert before action at one instant', () => {
    const timeline: TimelineEntry[] = [
      {
        at: '2026-12-07T10:00:02Z',
        type: 'approval',
        actor: 'admin',
        data: { summary: 'approved round-all' },
      },
      {
        at: '2026-12-07T10:00:01Z',
        type: 'opened',
        actor: 'respond',
        data: { alertId: 'alr_1', title: 'x' },
      },
    ];
    const rows = assembleTimeline({
      timeline,
      alerts: [alert('alr_1', '2026-12-07T10:00:00Z'), alert('alr_2', '2026-12-07T10:00:03Z')],
      actions: [action('act_1', '2026-12-07T10:00:03Z', '2026-12-07T10:00:09Z')],
    });
    expect(rows.map((r) => `${r.kind}:${r.ref ?? r.title}`)).toEqual([
      'event:opened: x',
      'event:approval: approved round-all',
      'alert:alr_2',
      'action:act_1',
      'lift:act_1',
    ]);
  });

  it('names the action and its target, and keeps the actor', () => {
    const [row] = assembleTimeline({
      timeline: [],
      alerts: [],
      actions: [action('act_1', '2026-12-07T10:00:00Z')],
    });
    expect(row).toMatchObject({
      title: 'rate_limit on key key_1',
      actor: 'playbook:model-extraction',
    });
  });

  it('is empty for an incident with no record', () => {
    expect(assembleTimeline({ timeline: [], alerts: [], actions: [] })).toEqual([]);
  });
});
