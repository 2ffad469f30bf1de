import { afterAll, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import {
  createNatsBus,
  createNatsCoordination,
  inferenceSubject,
  partitionPattern,
  Subjects,
  type Bus,
} from '../bus/index.js';
// Test-only cleanup of the per-run stream and bucket; not part of the bus's public door.
import { deleteNatsStream } from '../bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../bus/nats-policy-channel.js';
import type { Alert } from '../core/index.js';
import type { Detector } from './detector.js';
import { makeEvent } from './drift/test-events.js';
import { decodeModelStageBatch, forwardingToModelStage } from './model-stage.js';
import { eventPartition, partitionToken } from './partition.js';
import { findingAlertId, startPartitionWorker, type PartitionSpec } from './partition-worker.js';
import { createDetectorRunner } from './runner/detector-runner.js';

const run = `pw${Date.now().toString(36)}${process.pid}`;
const servers = serviceUrls.nats;
const stream = `AISOC_TEST_${run}`.toUpperCase();
const bucket = `${run}_scale`;
const PARTITIONS = 4;
const THRESHOLD = 30;
const principals = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

/** Counts each principal's queries; one finding at the 30th (a stand-in for extraction). */
const counting: Detector<Record<string, number>> = {
  name: 'count',
  description: 'counts queries per principal',
  init: () => ({}),
  observe(state, event) {
    const p = event.principal!;
    state[p] = (state[p] ?? 0) + 1;
    if (state[p] !== THRESHOLD) return [];
    return [
      {
        time: event.time,
        detector: 'count',
        kind: 'extraction',
        model: event.model,
        principal: p,
        sourceAddress: event.sourceAddress,
        severity: 'high',
        confidence: 1,
        title: `${p} reached ${THRESHOLD}`,
        atlasTechniques: [],
        owasp: [],
        evidence: { count: THRESHOLD },
        eventIds: [event.id],
      },
    ];
  },
  stateSize: () => 0,
  serialize: (s) => s,
  deserialize: (d) => ({ ...(d as Record<string, number>) }),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(25);
  }
}

await describeWithService('nats', 'partitioned detection on NATS JetStream', () => {
  const buses: Bus[] = [];
  const open = async () => {
    const bus = await createNatsBus({ servers, stream, subjectPrefix: run, storage: 'memory' });
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    for (const b of buses) await b.close().catch(() => undefined);
    await deleteNatsStream({ servers, stream });
    await deleteNatsPolicyBucket({ servers, bucket }).catch(() => undefined);
  });

  it('shares partitions between workers, survives one dying, and raises each finding once', async () => {
    const publisher = await open();
    const alerts: Alert[] = [];
    await publisher.subscribe<Alert>(Subjects.alertRaised, (m) => void alerts.push(m.data));
    let n = 0;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++)
        for (const principal of principals) {
          const e = {
            ...makeEvent(n, Date.UTC(2026, 0, 1) + n * 1000, [[1]]),
            principal,
            keyId: principal,
          };
          n++;
          const token = partitionToken(eventPartition(e, PARTITIONS));
          await publisher.publish(inferenceSubject(e.model, token), e);
        }
    };
    const worker = async (id: string) => {
      const bus = await open();
      const coordination = await createNatsCoordination({ servers, bucket });
      const specs: PartitionSpec[] = Array.from({ length: PARTITIONS }, (_, i) => ({
        id: partitionToken(i),
        pattern: partitionPattern(partitionToken(i)),
        runner: () =>
          createDetectorRunner({
            bus,
            detectors: [counting],
            onAlert: (a) => bus.publish(Subjects.alertRaised, a),
            createAlertId: findingAlertId,
          }),
      }));
      const w = await startPartitionWorker({
        bus,
        coordination,
        workerId: id,
        partitions: specs,
        leaseMs: 1500,
        tickMs: 200,
        log: () => {},
      });
      return { w, bus, coordination };
    };

    const a = await worker('a');
    await until('a owns every partition', () => a.w.owned().length === PARTITIONS);
    await publish(12);
    const b = await worker('b');
    await until(
      'the partitions rebalanced',
      () => a.w.owned().length === 2 && b.w.owned().length === 2,
    );
    await publish(8);
    await sleep(600); // a checkpoint or two
    // a dies without a goodbye: no final checkpoint, its leases run out.
    const lost = a.w.owned();
    await a.bus.close();
    await a.coordination.close();
    await publish(15);
    await until(
      'b took the dead worker’s partitions',
      () => b.w.owned().length === PARTITIONS,
      10_000,
    );
    await until(
      'every principal flagged',
      () => new Set(alerts.map((x) => x.principal)).size === principals.length,
    );
    await sleep(500);
    const ids = new Set(alerts.map((x) => x.id));
    expect(ids.size, 'one alert id per principal').toBe(principals.length);
    for (const p of principals) {
      const found = alerts.filter((x) => x.principal === p);
      // The 30th query of each principal, whichever worker saw it.
      expect(found[0]!.evidence.count).toBe(THRESHOLD);
      expect(new Set(found.map((x) => x.id)).size).toBe(1);
    }
    expect(lost.length).toBe(2);
    await b.w.close();
    await b.coordination.close();
  }, 60_000);
  it('feeds the per-model stage with batches from the key partitions, each event at least once', async () => {
    const bus = await open();
    const coordination = await createNatsCoordination({ servers, bucket: `${bucket}2` });
    const seen = new Map<string, number>();
    /** Counts events per id (a stand-in for drift: it needs every event of the model). */
    const perModel: Detector<Record<string, never>> = {
      name: 'seen',
      description: 'records every event id it observes',
      init: () => ({}),
      observe(_state, event) {
        seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
        return [];
      },
      stateSize: () => 0,
      serialize: () => ({}),
      deserialize: () => ({}),
    };
    const runner = (detectors: Detector<unknown>[]) => () =>
      createDetectorRunner({ bus, detectors, onAlert: () => {}, createAlertId: findingAlertId });
    const specs: PartitionSpec[] = Array.from({ length: PARTITIONS }, (_, i) => {
      const id = partitionToken(i);
      return {
        id,
        pattern: partitionPattern(id),
        runner: () =>
          forwardingToModelStage(runner([counting as Detector<unknown>])(), {
            publish: (batch) => bus.publish(`${Subjects.modelStageEvents}.${id}`, batch),
            maxEvents: 16,
          }),
      };
    });
    specs.push({
      id: 'models',
      pattern: `${Subjects.modelStageEvents}.>`,
      runner: runner([perModel as Detector<unknown>]),
      decode: decodeModelStageBatch,
      light: true,
    });
    const w = await startPartitionWorker({
      bus,
      coordination,
      workerId: 'solo',
      partitions: specs,
      leaseMs: 1500,
      tickMs: 200,
      log: () => {},
    });
    await until('it owns every partition and the stage', () => w.owned().length === PARTITIONS + 1);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const principal = principals[i % principals.length]!;
      const e = {
        ...makeEvent(10_000 + i, Date.UTC(2026, 0, 2) + i, [[i]]),
        principal,
        keyId: principal,
      };
      ids.push(e.id);
      await bus.publish(
        inferenceSubject(e.model, partitionToken(eventPartition(e, PARTITIONS))),
        e,
      );
    }
    // A batch the stage cannot read is skipped, not fatal.
    await bus.publish(`${Subjects.modelStageEvents}.p00`, { version: 9, events: 'no' });
    await until('the stage saw every event', () => ids.every((id) => seen.has(id)));
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    await w.close();
    await coordination.close();
    await deleteNatsPolicyBucket({ servers, bucket: `${bucket}2` }).catch(() => undefined);
  }, 60_000);
});
