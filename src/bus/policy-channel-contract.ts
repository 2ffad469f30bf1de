import { expect, it } from 'vitest';
import { type AppliedAction, createManualClock } from '../core/index.js';
import { settle, waitFor } from './bus-contract.js';
import type { PolicyChannel, PolicyChannelOptions, PolicyState } from './policy-channel.js';

const applied = (id: string, action: AppliedAction['action']): AppliedAction => ({
  id,
  action,
  reason: 'extraction suspected',
  actor: 'playbook:extraction',
  appliedAt: '2026-01-02T03:04:05.000Z',
  liftedAt: null,
  liftedBy: null,
});

/** One action of every kind, as a playbook would leave them. */
export const everyKind: AppliedAction[] = [
  applied('a1', { kind: 'suspend_key', keyId: 'k1' }),
  applied('a2', { kind: 'revoke_key', keyId: 'k2' }),
  applied('a3', { kind: 'rate_limit', keyId: 'k3', ratePerSecond: 2.5, burst: 5 }),
  applied('a4', {
    kind: 'isolate_model',
    model: 'digits',
    fallback: { kind: 'static', body: { label: -1 }, status: 200 },
  }),
  applied('a5', { kind: 'pin_version', model: 'breast-cancer', version: '3' }),
];

const state = (version: number, actions: AppliedAction[] = []): PolicyState => ({
  version,
  actions,
});

/**
 * The behaviour every PolicyChannel owes the gateways. `create` opens a channel on fresh,
 * empty storage each time it is called.
 */
export function runPolicyChannelContract(
  create: (options: PolicyChannelOptions) => Promise<PolicyChannel>,
): void {
  async function open(options: PolicyChannelOptions = {}) {
    const errors: unknown[] = [];
    const channel = await create({ onError: (e) => errors.push(e), ...options });
    return { channel, errors };
  }

  it('delivers nothing before the first publish, then the published state', async () => {
    const { channel } = await open();
    const seen: PolicyState[] = [];
    await channel.watch((s) => void seen.push(s));
    await settle();
    expect(seen).toEqual([]);
    await channel.publish(state(1, everyKind));
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual(state(1, everyKind));
    await channel.close();
  });

  it('gives a late watcher the current state first, not the history', async () => {
    const { channel } = await open();
    for (const v of [1, 2, 3]) await channel.publish(state(v));
    const seen: number[] = [];
    await channel.watch((s) => void seen.push(s.version));
    await waitFor(() => seen.length >= 1);
    await channel.publish(state(4));
    await waitFor(() => seen.length >= 2);
    await settle();
    expect(seen).toEqual([3, 4]);
    await channel.close();
  });

  it('delivers every later state in order, and says how fast', async () => {
    const { channel } = await open();
    const seen: number[] = [];
    const delays: number[] = [];
    let sentAt = 0;
    await channel.watch((s) => {
      delays.push(performance.now() - sentAt);
      seen.push(s.version);
    });
    for (let v = 1; v <= 20; v++) {
      sentAt = performance.now();
      await channel.publish(state(v, everyKind.slice(0, v % 6)));
      await waitFor(() => seen.length === v);
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const sorted = [...delays].sort((a, b) => a - b);
    console.info(
      `policy publish→watch: p50 ${sorted[10]?.toFixed(2)} ms, max ${sorted[19]?.toFixed(2)} ms`,
    );
    await channel.close();
  });

  it('refuses a version that is not newer with BUS_POLICY_STALE; watchers never go back', async () => {
    const { channel } = await open();
    const seen: number[] = [];
    await channel.watch((s) => void seen.push(s.version));
    await channel.publish(state(5));
    for (const v of [4, 5])
      await expect(channel.publish(state(v))).rejects.toMatchObject({
        code: 'BUS_POLICY_STALE',
        status: 409,
      });
    await channel.publish(state(6));
    await waitFor(() => seen.length === 2);
    await settle();
    expect(seen).toEqual([5, 6]);
    await channel.close();
  });

  it('rejects malformed states with BUS_POLICY_INVALID naming the bad field', async () => {
    const { channel } = await open();
    const bad: unknown[] = [
      { version: -1, actions: [] },
      { version: 1.5, actions: [] },
      { version: '2', actions: [] },
      { version: 1 },
      { version: 1, actions: [], extra: true },
      { version: 1, actions: [{ ...everyKind[0], action: { kind: 'format_disk' } }] },
      null,
    ];
    for (const value of bad)
      await expect(
        channel.publish(value as PolicyState),
        JSON.stringify(value),
      ).rejects.toMatchObject({
        code: 'BUS_POLICY_INVALID',
      });
    await expect(
      channel.publish({ version: 1, actions: [{ ...everyKind[2], reason: 7 }] } as never),
    ).rejects.toThrow(/actions\.0\.reason/);
    await channel.close();
  });

  it('keeps the latest ack of each gateway with the time it was made', async () => {
    const clock = createManualClock(Date.parse('2026-05-01T00:00:00Z'));
    const { channel } = await open({ clock });
    expect(await channel.acks()).toEqual(new Map());
    await channel.ack('gw-a', 1);
    await channel.ack('gw-b', 1);
    clock.advance(1500);
    await channel.ack('gw-a', 2);
    expect(await channel.acks()).toEqual(
      new Map([
        ['gw-a', { version: 2, at: '2026-05-01T00:00:01.500Z' }],
        ['gw-b', { version: 1, at: '2026-05-01T00:00:00.000Z' }],
      ]),
    );
    await channel.close();
  });

  it('rejects bad gateway ids and ack versions with stable codes', async () => {
    const { channel } = await open();
    for (const id of ['', 'a.b', 'a b', 'x'.repeat(129), '*', '>'])
      await expect(channel.ack(id, 1), id).rejects.toMatchObject({
        code: 'BUS_GATEWAY_ID_INVALID',
      });
    for (const version of [-1, 0.5, Number.NaN])
      await expect(channel.ack('gw', version)).rejects.toMatchObject({
        code: 'BUS_POLICY_INVALID',
      });
    await channel.close();
  });

  it('stops delivery to a watcher after unsubscribe', async () => {
    const { channel } = await open();
    const gone: number[] = [];
    const stays: number[] = [];
    const sub = await channel.watch((s) => void gone.push(s.version));
    await channel.watch((s) => void stays.push(s.version));
    await channel.publish(state(1));
    await waitFor(() => gone.length === 1 && stays.length === 1);
    await sub.unsubscribe();
    await channel.publish(state(2));
    await waitFor(() => stays.length === 2);
    await settle();
    expect(gone).toEqual([1]);
    await channel.close();
  });

  it('keeps delivering when a watch handler throws, and reports the error', async () => {
    const { channel, errors } = await open();
    let thrown = 0;
    const seen: number[] = [];
    await channel.watch(() => {
      thrown++;
      throw new Error('gateway could not apply');
    });
    await channel.watch((s) => void seen.push(s.version));
    for (const v of [1, 2, 3]) await channel.publish(state(v));
    await waitFor(() => seen.length === 3 && thrown === 3);
    expect(errors).toHaveLength(3);
    await channel.close();
  });

  it('refuses to work after close with BUS_CLOSED', async () => {
    const { channel } = await open();
    await channel.close();
    await expect(channel.publish(state(1))).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    await expect(channel.watch(() => undefined)).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    await expect(channel.ack('gw', 1)).rejects.toMatchObject({ code: 'BUS_CLOSED' });
  });
}
