import { afterAll, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createNatsBus, createNatsCoordination, type Bus } from '../bus/index.js';
// Test-only cleanup of the per-run stream and bucket; not part of the bus's public door.
import { deleteNatsStream } from '../bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../bus/nats-policy-channel.js';
import { startPartitionedDetection } from './partitioned-detection.js';
import { holdEmbeddedDetection } from './role-mix.js';

const run = `rm${Date.now().toString(36)}${process.pid}`;
const servers = serviceUrls.nats;
const stream = `AISOC_TEST_${run}`.toUpperCase();

await describeWithService('nats', 'all-role and detect-role processes in one deployment', () => {
  const buses: Bus[] = [];
  const buckets: string[] = [];
  afterAll(async () => {
    for (const b of buses) await b.close().catch(() => undefined);
    await deleteNatsStream({ servers, stream });
    for (const bucket of buckets) await deleteNatsPolicyBucket({ servers, bucket }).catch(() => {});
  });
  const worker = async (bucket: string, workerId: string) => {
    const bus = await createNatsBus({ servers, stream, subjectPrefix: run, storage: 'memory' });
    buses.push(bus);
    return startPartitionedDetection({
      bus,
      servers: [servers],
      bucket,
      workerId,
      models: [],
      partitions: 2,
      log: () => {},
    });
  };

  it('a detector worker refuses to start beside a process running every detector', async () => {
    const bucket = `${run}_a`;
    buckets.push(bucket);
    const embedded = await holdEmbeddedDetection({
      servers: [servers],
      bucket,
      id: 'all-1',
      log: () => {},
    });
    await expect(worker(bucket, 'w1')).rejects.toMatchObject({
      code: 'APP_ROLE_MIX',
      message: expect.stringContaining('all-1 already runs every detector'),
    });
    // Once the all-role process is gone, its lease is released and the worker starts.
    await embedded.close();
    const w = await worker(bucket, 'w1');
    await w.close();
  }, 30_000);

  it('a process running every detector refuses to start beside detector workers', async () => {
    const bucket = `${run}_b`;
    buckets.push(bucket);
    const w = await worker(bucket, 'w2');
    const co = await createNatsCoordination({ servers, bucket });
    const deadline = Date.now() + 10_000;
    while ((await co.leases('worker.')).size === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50)); // its first claim runs in the background
    await co.close();
    await expect(
      holdEmbeddedDetection({ servers: [servers], bucket, id: 'all-2', log: () => {} }),
    ).rejects.toMatchObject({
      code: 'APP_ROLE_MIX',
      message: expect.stringContaining('detector workers w2'),
    });
    await w.close();
    // The worker said goodbye (its lease released): the all-role process may start now.
    const embedded = await holdEmbeddedDetection({
      servers: [servers],
      bucket,
      id: 'all-2',
      log: () => {},
    });
    await embedded.close();
  }, 30_000);
});
