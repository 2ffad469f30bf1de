import { afterAll, describe, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { runBusContract, settle, waitFor } from './bus-contract.js';
import type { BusMessage } from './bus.js';
import { createNatsBus, deleteNatsStream, type NatsBusOptions } from './nats-bus.js';

const servers = serviceUrls.nats;
const run = `t${Date.now().toString(36)}${process.pid}`;
// A unique stream and subject prefix per run: parallel runs on one server never overlap.
const base: NatsBusOptions = {
  servers,
  stream: `AISOC_TEST_${run}`,
  subjectPrefix: run,
  storage: 'memory',
  maxAgeMs: 60_000,
  maxBytes: 16 * 1024 * 1024,
};

await describeWithService('nats', 'NATS JetStream bus', () => {
  afterAll(async () => {
    await deleteNatsStream({ servers, stream: base.stream as string });
  });

  describe('contract', () => {
    runBusContract((onError) => createNatsBus({ ...base, onError }));
  });

  it('resumes a durable subscription in a new connection, as a restarted worker would', async () => {
    const seen: number[] = [];
    const handler = (m: BusMessage<number>) => void seen.push(m.data);
    const worker = await createNatsBus(base);
    await worker.subscribeDurable('detect.restart.>', 'restart', handler);
    const gateway = await createNatsBus(base);
    await gateway.publish('detect.restart.x', 1);
    await waitFor(() => seen.length === 1);
    await worker.close();
    for (const i of [2, 3]) await gateway.publish('detect.restart.x', i);
    const again = await createNatsBus(base);
    await again.subscribeDurable('detect.restart.>', 'restart', handler);
    await waitFor(() => seen.length >= 3);
    await settle();
    expect(seen).toEqual([1, 2, 3]);
    await Promise.all([gateway.close(), again.close()]);
  });

  it('delivers everything retained to a new durable unless told to start from new', async () => {
    const bus = await createNatsBus(base);
    await bus.publish('detect.history.x', 'old');
    const all: unknown[] = [];
    const fresh: unknown[] = [];
    await bus.subscribeDurable('detect.history.>', 'hist-all', (m) => void all.push(m.data));
    await bus.subscribeDurable('detect.history.>', 'hist-new', (m) => void fresh.push(m.data), {
      deliver: 'new',
    });
    await bus.publish('detect.history.x', 'new');
    await waitFor(() => all.length === 2 && fresh.length === 1);
    expect(all).toEqual(['old', 'new']);
    expect(fresh).toEqual(['new']);
    await bus.close();
  });

  it('does not redeliver a message whose durable handler threw', async () => {
    const errors: unknown[] = [];
    const bus = await createNatsBus({ ...base, onError: (e) => errors.push(e), ackWaitMs: 200 });
    let calls = 0;
    await bus.subscribeDurable('detect.poison.>', 'poison', () => {
      calls++;
      throw new Error('poison');
    });
    await bus.publish('detect.poison.x', 1);
    await waitFor(() => calls === 1);
    await settle(500);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    await bus.close();
  });

  it('fails with BUS_PUBLISH_FAILED when the server refuses the message', async () => {
    const bus = await createNatsBus(base);
    await expect(bus.publish('detect.big.x', 'x'.repeat(2 * 1024 * 1024))).rejects.toMatchObject({
      code: 'BUS_PUBLISH_FAILED',
    });
    await expect(bus.publish('detect.big.x', { n: 1n })).rejects.toMatchObject({
      code: 'BUS_PUBLISH_FAILED',
    });
    await bus.close();
  });

  it('fails with BUS_UNAVAILABLE when no server answers', async () => {
    await expect(
      createNatsBus({ ...base, servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'BUS_UNAVAILABLE', status: 503 });
  });

  it('rejects bad options with BUS_OPTIONS_INVALID before connecting', async () => {
    for (const bad of [
      { stream: 'a.b' },
      { maxAgeMs: -1 },
      { maxBytes: 0 },
      { subjectPrefix: 'a b' },
    ])
      await expect(createNatsBus({ ...base, ...bad }), JSON.stringify(bad)).rejects.toMatchObject({
        code: 'BUS_OPTIONS_INVALID',
      });
  });
});
