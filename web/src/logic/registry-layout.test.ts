import { describe, expect, it } from 'vitest';
import { deploymentLanes, lineageGraph, type DeploymentRecord } from './registry-layout';

const dep = (over: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: 'd',
  endpoint: 'fraud',
  versionId: 'v1',
  reason: 'deploy',
  actor: 'admin',
  actionId: null,
  at: '2026-01-01T00:00:00.000Z',
  until: null,
  ...over,
});

describe('deploymentLanes', () => {
  it('lays out each endpoint as a lane, a rollback as a pinned segment, the open one to now', () => {
    const now = Date.parse('2026-01-01T03:00:00.000Z');
    const { lanes, from, to } = deploymentLanes(
      [
        dep({
          id: 'b',
          versionId: 'v2',
          at: '2026-01-01T01:00:00.000Z',
          until: '2026-01-01T02:00:00.000Z',
        }),
        dep({ id: 'a', until: '2026-01-01T01:00:00.000Z' }),
        dep({ id: 'c', at: '2026-01-01T02:00:00.000Z', actionId: 'act_1', reason: 'rollback' }),
        dep({ id: 'x', endpoint: 'other', versionId: null, at: '2026-01-01T02:30:00.000Z' }),
      ],
      new Map([
        ['v1', '1'],
        ['v2', '2'],
      ]),
      now,
    );
    expect(lanes.map((l) => l.endpoint)).toEqual(['fraud', 'other']);
    expect(lanes[0]!.segments.map((s) => [s.id, s.version, s.pinned, s.open])).toEqual([
      ['a', '1', false, false],
      ['b', '2', false, false],
      ['c', '1', true, true],
    ]);
    const named = deploymentLanes(
      [dep({ reason: 'rollback: v2 bad', actionId: 'a' })],
      new Map(),
      now,
    );
    expect(named.lanes[0]!.segments[0]!.how).toBe('rollback');
    expect(lanes[0]!.segments[2]!.end).toBe(now);
    expect(lanes[0]!.segments.map((s) => s.how)).toEqual(['deploy', 'deploy', 'pin']);
    expect(lanes[1]!.segments[0]!.version).toBeNull();
    expect([from, to]).toEqual([Date.parse('2026-01-01T00:00:00.000Z'), now]);
  });
  it('gives an empty history a non-empty span', () => {
    const { lanes, from, to } = deploymentLanes([], new Map(), 5);
    expect(lanes).toEqual([]);
    expect(to).toBeGreaterThan(from);
  });
});

describe('lineageGraph', () => {
  it('links snapshots and bases to runs, runs to versions, versions to endpoints, once each', () => {
    const p = {
      endpoint: 'fraud',
      version: { id: 'v2', version: '2' },
      model: { name: 'fraud-model' },
      stateAt: 'approved',
      runs: [
        {
          run: { id: 'run1' },
          inputs: [{ dataset: 'tx', snapshot: { id: 's1', label: '2026-01' } }],
          bases: ['base@1'],
        },
      ],
    };
    const g = lineageGraph([p, { ...p, endpoint: 'fraud-eu' }]);
    expect(g.nodes.map((n) => [n.column, n.label])).toEqual([
      [3, 'fraud'],
      [2, 'fraud-model@2'],
      [1, 'run1'],
      [0, 'tx@2026-01'],
      [0, 'base base@1'],
      [3, 'fraud-eu'],
    ]);
    expect(g.edges).toHaveLength(5);
    expect(g.nodes.find((n) => n.column === 2)!.state).toBe('approved');
  });
});
