import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { afterAll, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createNatsCoordination } from './nats-coordination.js';
// Test-only cleanup of the per-run bucket.
import { deleteNatsPolicyBucket } from './nats-policy-channel.js';

const run = `co${Date.now().toString(36)}${process.pid}`;
const servers = serviceUrls.nats;
const bucket = `${run}_scale`;

/** A detector-checkpoint-like value of about `mb` MiB (numbers and strings, not one blob). */
function bigState(mb: number, seed: number) {
  const principals: Record<string, { rows: number[][]; label: string }> = {};
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const rows = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 30 }, (_, j) => (seed + i * 31 + r * 7 + j) / 977),
    );
    principals[`key-${i}-é`] = { rows, label: `principal ${i} ✓` };
    size += 8 * 30 * 20;
  }
  return { version: 1, seq: seed, runner: { principals } };
}

await describeWithService('nats', 'coordination values over the KV size limit', () => {
  afterAll(async () => {
    await deleteNatsPolicyBucket({ servers, bucket }).catch(() => undefined);
  });

  it('stores and restores a checkpoint of several MiB, and cleans up replaced chunks', async () => {
    const co = await createNatsCoordination({ servers, bucket });
    const large = bigState(3, 1);
    expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(2 * 1024 * 1024);
    await co.put('ckpt.p00', large);
    expect(await co.get('ckpt.p00')).toEqual(large);

    const larger = bigState(4, 2);
    await co.put('ckpt.p00', larger);
    expect(await co.get('ckpt.p00')).toEqual(larger);
    await co.put('ckpt.p00', { version: 1, seq: 3, runner: {} });
    expect(await co.get('ckpt.p00')).toEqual({ version: 1, seq: 3, runner: {} });

    // No chunk of an earlier generation is left in the bucket.
    const nc = await connect({ servers });
    const kv = await new Kvm(nc).open(bucket);
    const live: string[] = [];
    for await (const key of await kv.keys('ckpt.p00.chunk.>')) {
      const entry = await kv.get(key);
      if (entry?.operation === 'PUT') live.push(key);
    }
    expect(live).toEqual([]);

    // A missing chunk is an error naming the key, never a partial state.
    await co.put('ckpt.p01', large);
    const manifest = (await kv.get('ckpt.p01'))!.json<{ generation: string }>();
    await kv.purge(`ckpt.p01.chunk.${manifest.generation}.1`);
    await expect(co.get('ckpt.p01')).rejects.toMatchObject({
      code: 'BUS_VALUE_INCOMPLETE',
      message: expect.stringContaining('ckpt.p01'),
    });
    await nc.close();
    await co.close();
  }, 60_000);
});
