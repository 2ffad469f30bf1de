import { describe, expect, it } from 'vitest';
import { createManualClock, type Alert } from '../../core/index.js';
import { createArtifactAccessMonitor, type ArtifactRead } from './access-monitor.js';

const read = (over: Partial<ArtifactRead> = {}): ArtifactRead => ({
  identity: 'rita',
  role: 'responder',
  model: 'fraud',
  version: '1',
  path: 'model.onnx',
  bytes: 10,
  ...over,
});

function rig(limits = { maxReadsPerHour: 3, maxBytesPerHour: 1000 }) {
  const clock = createManualClock(Date.parse('2026-12-07T10:00:00Z'));
  const alerts: Alert[] = [];
  const monitor = createArtifactAccessMonitor({
    ...limits,
    clock,
    raise: (a) => void alerts.push(a),
  });
  return { clock, alerts, monitor };
}

describe('artifact access monitor', () => {
  it("alerts on a non-approver's first read of each model, never on an admin's or approver's", async () => {
    const { alerts, monitor } = rig();
    await monitor.observe(read());
    await monitor.observe(read({ version: '2' })); // same model: not new
    await monitor.observe(read({ model: 'churn' }));
    await monitor.observe(read({ identity: 'olga', role: 'approver' }));
    await monitor.observe(read({ identity: 'ada', role: 'admin', model: 'churn' }));
    expect(alerts.map((a) => [a.principal, a.model, a.kind, a.evidence.reason])).toEqual([
      ['rita', 'fraud', 'artifact.access', 'first read of this model'],
      ['rita', 'churn', 'artifact.access', 'first read of this model'],
    ]);
  });

  it('alerts once per hour on reads or bytes beyond the limits, counting the last hour only', async () => {
    const { alerts, clock, monitor } = rig();
    const volume = () => alerts.filter((a) => a.evidence.reason === 'volume');
    for (let i = 0; i < 3; i++) await monitor.observe(read({ role: 'admin' }));
    expect(volume()).toEqual([]);
    await monitor.observe(read({ role: 'admin' }));
    await monitor.observe(read({ role: 'admin' }));
    expect(volume()).toHaveLength(1);
    expect(volume()[0]!.evidence).toMatchObject({ readsLastHour: 4, bytesLastHour: 40 });
    clock.advance(3_600_000); // the window has passed: one read is normal again
    await monitor.observe(read({ role: 'admin' }));
    expect(volume()).toHaveLength(1);
    await monitor.observe(read({ role: 'admin', bytes: 5000 })); // bytes alone
    expect(volume()).toHaveLength(2);
    expect(volume()[1]!.title).toContain('5010 bytes > 1000');
  });
});
