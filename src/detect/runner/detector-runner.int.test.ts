import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { describeWithService, serviceUrls } from '../../../test/support/services.js';
import { createMemoryBus, createNatsBus, inferenceSubject, Subjects } from '../../bus/index.js';
// Test-only cleanup of the per-run stream; not part of the bus's public door.
import { deleteNatsStream } from '../../bus/nats-bus.js';
import type { Alert, InferenceEvent } from '../../core/index.js';
import { buildBaseline } from '../baseline/baseline-profile.js';
import { parseCsv } from '../baseline/read-table.js';
import { createDriftDetector } from '../drift/drift-detector.js';
import { makeEvent } from '../drift/test-events.js';
import { createDetectorRunner } from './detector-runner.js';

const run = `d${Date.now().toString(36)}${process.pid}`;
const nats = {
  servers: serviceUrls.nats,
  stream: `AISOC_TEST_${run}`,
  subjectPrefix: run,
  storage: 'memory' as const,
  maxAgeMs: 60_000,
};
const csv = (p: string) =>
  parseCsv(readFileSync(new URL(`../../../data/breast-cancer/${p}`, import.meta.url), 'utf8'));
const baseline = buildBaseline(csv('reference.csv'), { exclude: ['label'] });
const train = csv('train.csv');
const events: InferenceEvent[] = Array.from({ length: 200 }, (_, r) =>
  makeEvent(
    r,
    Date.UTC(2026, 0, 2) + r * 1000,
    [baseline.features.map((_, c) => (train.data[c]![r] as number) * (c % 2 ? 1.5 : 1))],
    [[0.5, 0.5]],
    r % 2 ? 'bc' : 'bc2',
  ),
);
const detectors = () => [
  createDriftDetector({
    baselines: { bc: baseline, bc2: baseline },
    window: { kind: 'count', size: 50 },
  }),
];
const strip = (alerts: Alert[]) =>
  alerts
    .map(({ id: _id, ...rest }) => rest)
    .sort((a, b) => (a.model! + a.time < b.model! + b.time ? -1 : 1));

await describeWithService('nats', 'detector runner on NATS JetStream', () => {
  afterAll(async () => {
    await deleteNatsStream({ servers: nats.servers, stream: nats.stream });
  });

  it('raises the same alerts from per-model NATS subjects as from the memory bus', async () => {
    const expected: Alert[] = [];
    const memory = createMemoryBus();
    const ref = createDetectorRunner({
      bus: memory,
      detectors: detectors(),
      onAlert: (a) => void expected.push(a),
    });
    await ref.start();
    for (const e of events) await memory.publish(Subjects.inferenceCompleted, e);
    await new Promise((r) => setTimeout(r, 20));
    await ref.stop();

    const bus = await createNatsBus(nats);
    const got: Alert[] = [];
    const runner = createDetectorRunner({
      bus,
      detectors: detectors(),
      onAlert: (a) => void got.push(a),
      durable: { name: `drift-${run}` },
    });
    await runner.start();
    for (const e of events) await bus.publish(inferenceSubject(e.model), e);
    const deadline = Date.now() + 10_000;
    while (runner.stats().events < events.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await runner.stop();
    await bus.close();
    expect(expected.length).toBeGreaterThan(0);
    expect(strip(got)).toEqual(strip(expected));
  });
});
