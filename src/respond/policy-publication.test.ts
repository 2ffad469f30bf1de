import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryPolicyChannel, type PolicyChannel, type PolicyState } from '../bus/index.js';
import { AppError, type AppliedAction } from '../core/index.js';
import { createPolicyPublication } from './policy-publication.js';

/** The shared table of applied actions that several admin APIs read. */
function sharedRecords() {
  const rows: AppliedAction[] = [];
  return {
    rows,
    add(i: number) {
      rows.push({
        id: `act_${String(i).padStart(4, '0')}`,
        action: { kind: 'suspend_key', keyId: `key_${i}` },
        reason: 'test',
        actor: 'test',
        appliedAt: new Date(0).toISOString(),
        liftedAt: null,
        liftedBy: null,
      });
    },
    listActive: async () => {
      await sleep(Math.random() * 3); // reads interleave as they do on a real database
      return rows.slice();
    },
  };
}

async function latest(channel: PolicyChannel): Promise<PolicyState> {
  let state: PolicyState | undefined;
  const sub = await channel.watch((s) => void (state = s));
  await sleep(10);
  await sub.unsubscribe();
  return state!;
}

describe('policy publication', () => {
  it('merges 150 concurrent publications from three admin APIs: no BUS_POLICY_STALE, nothing missing (finding 14)', async () => {
    const channel = createMemoryPolicyChannel();
    const records = sharedRecords();
    // One clock for all three: versions collide often, as they did across three processes.
    const clock = { now: () => 1_000 };
    const apis = [0, 1, 2].map(() =>
      createPolicyPublication({ listActive: records.listActive, publisher: channel, clock }),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) => {
        records.add(i);
        return apis[i % 3]!.publish();
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.every((r) => r.status === 'fulfilled' && r.value === true)).toBe(true);
    // The last publisher's background check publishes the full set if its read was stale.
    let state = await latest(channel);
    for (let i = 0; i < 100 && state.actions.length < 150; i++) state = await latest(channel);
    expect(state.actions.map((a) => a.id)).toEqual(records.rows.map((a) => a.id));
  });

  it('keeps a publication pending while the bus fails and publishes it once the bus is back (finding 5)', async () => {
    const channel = createMemoryPolicyChannel();
    const records = sharedRecords();
    let down = true;
    const pendingErrors: unknown[] = [];
    const publication = createPolicyPublication({
      listActive: records.listActive,
      publisher: {
        publish: (state) => {
          if (down)
            return Promise.reject(
              new AppError('BUS_PUBLISH_FAILED', 'publishing the policy failed', { status: 503 }),
            );
          return channel.publish(state);
        },
      },
      clock: { now: () => Date.now() },
      onPending: (e) => pendingErrors.push(e),
      retryMs: { first: 20, max: 40 },
    });
    records.add(1);
    expect(await publication.publish()).toBe(false);
    expect(publication.pending()).toBe(true);
    await sleep(100);
    expect(pendingErrors.length).toBeGreaterThan(1); // retried in the background
    down = false;
    for (let i = 0; i < 50 && publication.pending(); i++) await sleep(10);
    expect(publication.pending()).toBe(false);
    expect((await latest(channel)).actions.map((a) => a.id)).toEqual(['act_0001']);
    publication.close();
  });

  it('still throws what is not a bus outage (a store error is not hidden as pending)', async () => {
    const publication = createPolicyPublication({
      listActive: () => Promise.reject(new AppError('STORE_UNAVAILABLE', 'db down')),
      publisher: createMemoryPolicyChannel(),
      clock: { now: () => 1 },
    });
    await expect(publication.publish()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(publication.pending()).toBe(false);
  });
});
