import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createNatsPolicyChannel, type PolicyChannel, type PolicyState } from '../bus/index.js';
import { deleteNatsPolicyBucket } from '../bus/nats-policy-channel.js';
import type { AppliedAction } from '../core/index.js';
import { createPolicyPublication } from './policy-publication.js';

const servers = serviceUrls.nats;
const bucket = `aisoc-pub-${Date.now().toString(36)}${process.pid}`;

await describeWithService('nats', 'policy publication over the NATS key-value bucket', () => {
  let channels: PolicyChannel[];
  beforeAll(async () => {
    channels = await Promise.all(
      [0, 1, 2].map(() => createNatsPolicyChannel({ servers, bucket, storage: 'memory' })),
    );
  });
  afterAll(async () => {
    await Promise.all(channels.map((c) => c.close()));
    await deleteNatsPolicyBucket({ servers, bucket });
  });

  it('takes 150 concurrent suspends through three admin APIs without a 409 and enforces them all (finding 14)', async () => {
    const rows: AppliedAction[] = [];
    const listActive = async () => rows.slice();
    const apis = channels.map((publisher) =>
      createPolicyPublication({ listActive, publisher, clock: { now: () => Date.now() } }),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) => {
        rows.push({
          id: `act_${String(i).padStart(4, '0')}`,
          action: { kind: 'suspend_key', keyId: `key_${i}` },
          reason: 'race',
          actor: `admin-${i % 3}`,
          appliedAt: new Date().toISOString(),
          liftedAt: null,
          liftedBy: null,
        });
        return apis[i % 3]!.publish();
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    let seen: PolicyState | undefined;
    const sub = await channels[0]!.watch((s) => void (seen = s));
    for (let i = 0; i < 50 && seen?.actions.length !== 150; i++) await sleep(20);
    await sub.unsubscribe();
    expect(seen?.actions.map((a) => a.id)).toEqual(rows.map((a) => a.id));
  });
});
