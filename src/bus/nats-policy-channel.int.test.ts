import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { settle, waitFor } from './bus-contract.js';
import {
  createNatsPolicyChannel,
  deleteNatsPolicyBucket,
  type NatsPolicyChannelOptions,
} from './nats-policy-channel.js';
import { everyKind, runPolicyChannelContract } from './policy-channel-contract.js';
import type { PolicyState } from './policy-channel.js';

const servers = serviceUrls.nats;
const run = `t${Date.now().toString(36)}${process.pid}`;
const buckets: string[] = [];
let n = 0;

// A fresh bucket per test (versions only go up, so tests cannot share one), all deleted after.
function fresh(options: Partial<NatsPolicyChannelOptions> = {}): NatsPolicyChannelOptions {
  const bucket = `aisoc-test-${run}-${++n}`;
  buckets.push(bucket);
  return { servers, bucket, storage: 'memory', ...options };
}

await describeWithService('nats', 'NATS key-value policy channel', () => {
  afterAll(async () => {
    for (const bucket of buckets) await deleteNatsPolicyBucket({ servers, bucket });
  });

  describe('contract', () => {
    runPolicyChannelContract((options) => createNatsPolicyChannel(fresh(options)));
  });

  it('shares one state and one ack table between gateways on separate connections', async () => {
    const options = fresh();
    const [control, gatewayA, gatewayB] = await Promise.all(
      [0, 1, 2].map(() => createNatsPolicyChannel(options)),
    );
    const seenA: PolicyState[] = [];
    const seenB: PolicyState[] = [];
    await gatewayA!.watch(async (s) => {
      seenA.push(s);
      await gatewayA!.ack('gw-a', s.version);
    });
    await gatewayB!.watch(async (s) => {
      seenB.push(s);
      await gatewayB!.ack('gw-b', s.version);
    });
    await control!.publish({ version: 7, actions: everyKind });
    await waitFor(() => seenA.length === 1 && seenB.length === 1);
    expect(seenB[0]).toEqual({ version: 7, actions: everyKind });
    const acks = await control!.acks();
    expect([...acks.keys()].sort()).toEqual(['gw-a', 'gw-b']);
    expect(acks.get('gw-a')?.version).toBe(7);
    await Promise.all([control, gatewayA, gatewayB].map((c) => c!.close()));
  });

  it('lets exactly one of two racing publishers of the same version win', async () => {
    const options = fresh();
    const [a, b] = await Promise.all([
      createNatsPolicyChannel(options),
      createNatsPolicyChannel(options),
    ]);
    await a!.publish({ version: 1, actions: [] });
    const results = await Promise.allSettled([
      a!.publish({ version: 2, actions: [everyKind[0]!] }),
      b!.publish({ version: 2, actions: [everyKind[1]!] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'BUS_POLICY_STALE' },
    });
    await Promise.all([a!.close(), b!.close()]);
  });

  it('fails with BUS_UNAVAILABLE when no server answers, and BUS_OPTIONS_INVALID for a bad bucket', async () => {
    await expect(
      createNatsPolicyChannel({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'BUS_UNAVAILABLE' });
    await expect(createNatsPolicyChannel({ servers, bucket: 'a.b' })).rejects.toMatchObject({
      code: 'BUS_OPTIONS_INVALID',
    });
  });

  it('a new watcher starts from the stored state after every writer is gone', async () => {
    const options = fresh();
    const writer = await createNatsPolicyChannel(options);
    await writer.publish({ version: 3, actions: everyKind });
    await writer.close();
    const reader = await createNatsPolicyChannel(options);
    const seen: number[] = [];
    await reader.watch((s) => void seen.push(s.version));
    await waitFor(() => seen.length === 1);
    await settle();
    expect(seen).toEqual([3]);
    await reader.close();
  });

  it('skips stored values that are garbage or older, reporting the garbage', async () => {
    const options = fresh();
    const errors: unknown[] = [];
    const channel = await createNatsPolicyChannel({ ...options, onError: (e) => errors.push(e) });
    const seen: number[] = [];
    await channel.watch((s) => void seen.push(s.version));
    await channel.publish({ version: 5, actions: [] });
    // A rogue writer behind the channel's back, straight into the bucket.
    const nc = await connect({ servers });
    const kv = await new Kvm(nc).open(options.bucket as string);
    await kv.put('policy.current', '{not json');
    await kv.put('policy.current', JSON.stringify({ version: 9, actions: [{ id: 1 }] }));
    await kv.put('policy.current', JSON.stringify({ version: 2, actions: [] }));
    await kv.put('policy.current', JSON.stringify({ version: 6, actions: [] }));
    await waitFor(() => seen.length === 2);
    await settle();
    expect(seen).toEqual([5, 6]);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatchObject({ code: 'BUS_POLICY_INVALID' });
    await kv.put('policy.current', 'garbage');
    await channel.publish({ version: 7, actions: [] }); // garbage does not block containment
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([5, 6, 7]);
    await nc.close();
    await channel.close();
  });
});
