import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunNatsServer, startPrivateNats } from '../../test/support/nats-server.js';
import { waitFor } from './bus-contract.js';
import type { BusMessage } from './bus.js';
import { createNatsBus } from './nats-bus.js';

const suite = canRunNatsServer ? describe : describe.skip;
if (!canRunNatsServer) console.warn('SKIPPED: subject prefix upgrade: no nats-server binary');

// Issue 14, finding 19: a deployment that had no prefix (stream on `gateway.>`, `detect.>` …)
// upgrades to `bus.subjectPrefix`. A private server: an unprefixed stream would claim the
// bare roots on the shared one.
suite('upgrading a deployment to a subject prefix', () => {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  beforeAll(async () => {
    nats = await startPrivateNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('moves the stream and its durable consumers to the prefix instead of refusing them', async () => {
    const options = { servers: nats.url, stream: 'AISOC', storage: 'memory' as const };
    const seen: number[] = [];
    const handler = (m: BusMessage<number>) => void seen.push(m.data);
    const old = await createNatsBus(options);
    await (await old.subscribeDurable('detect.alert.>', 'worker', handler)).unsubscribe();
    await old.close();

    const upgraded = await createNatsBus({ ...options, subjectPrefix: 'aisoc' });
    try {
      await upgraded.subscribeDurable('detect.alert.>', 'worker', handler);
      await upgraded.publish('detect.alert.raised', 7);
      // The first delivery after the filter change can wait for the pull's renewal (~15 s,
      // observed on nats-server 2.9): a one-time delay at upgrade, nothing lost.
      await waitFor(() => seen.length === 1, 30_000);
      expect(seen).toEqual([7]);
    } finally {
      await upgraded.close();
    }
  });
});
