import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemoryBus, Subjects } from '../../bus/index.js';
import type { Alert, InferenceEvent } from '../../core/index.js';
import { buildBaseline } from '../baseline/baseline-profile.js';
import { parseCsv } from '../baseline/read-table.js';
import type { Detector } from '../detector.js';
import { createDriftDetector } from '../drift/drift-detector.js';
import { makeEvent } from '../drift/test-events.js';
import { createDetectorRunner, type RunnerCheckpoint } from './detector-runner.js';

const table = parseCsv(
  readFileSync(new URL('../../../data/breast-cancer/reference.csv', import.meta.url), 'utf8'),
);
const baseline = buildBaseline(table, { name: 'bc-reference', exclude: ['label'] });
const train = parseCsv(
  readFileSync(new URL('../../../data/breast-cancer/train.csv', import.meta.url), 'utf8'),
);

// A recorded stream: normal rows, then rows scaled by 1.5 on every other feature.
const recorded: InferenceEvent[] = [];
for (let r = 0; r < train.rowCount; r++) {
  const row = baseline.features.map(
    (_, c) => (train.data[c]![r] as number) * (r > 150 && c % 2 ? 1.5 : 1),
  );
  recorded.push(
    makeEvent(r, Date.UTC(2026, 0, 1) + r * 1000, [row], [[0.3, 0.7]], r % 3 === 0 ? 'bc2' : 'bc'),
  );
}

const detectors = () => [
  createDriftDetector({
    baselines: { bc: baseline, bc2: baseline },
    window: { kind: 'count', size: 40 },
  }),
];
const stripIds = (alerts: Alert[]) => alerts.map(({ id: _id, ...rest }) => rest);

async function runThroughBus(events: InferenceEvent[], perModelSubjects = false): Promise<Alert[]> {
  const bus = createMemoryBus();
  const alerts: Alert[] = [];
  const runner = createDetectorRunner({
    bus,
    detectors: detectors(),
    onAlert: (a) => void alerts.push(a),
  });
  await runner.start();
  for (const e of events)
    await bus.publish(
      perModelSubjects ? `${Subjects.inferenceCompleted}.${e.model}` : Subjects.inferenceCompleted,
      e,
    );
  await new Promise((r) => setTimeout(r, 10));
  await runner.stop();
  return alerts;
}

describe('detector runner', () => {
  it('gives identical alerts when the same recorded stream is replayed twice', async () => {
    const first = await runThroughBus(recorded);
    const second = await runThroughBus(recorded, true);
    expect(first.length).toBeGreaterThan(0);
    expect(stripIds(second)).toEqual(stripIds(first));
    expect(first.every((a) => a.id.startsWith('alr_'))).toBe(true);
    expect(new Set(first.map((a) => a.model))).toEqual(new Set(['bc', 'bc2']));
  });

  it('resumes from a checkpoint and raises the same alerts as an uninterrupted run', async () => {
    const full = createDetectorRunner({
      bus: createMemoryBus(),
      detectors: detectors(),
      onAlert: () => {},
    });
    const expected = recorded.flatMap((e) => full.process(e));
    let saved: RunnerCheckpoint | null = null;
    const store = {
      load: async () => saved,
      save: async (cp: RunnerCheckpoint) => void (saved = JSON.parse(JSON.stringify(cp))),
    };
    const a = createDetectorRunner({
      bus: createMemoryBus(),
      detectors: detectors(),
      onAlert: () => {},
      checkpoint: { store },
    });
    const before = recorded.slice(0, 170).flatMap((e) => a.process(e));
    await a.stop();
    const b = createDetectorRunner({
      bus: createMemoryBus(),
      detectors: detectors(),
      onAlert: () => {},
      checkpoint: { store },
    });
    await b.start();
    const after = recorded.slice(170).flatMap((e) => b.process(e));
    await b.stop();
    expect(stripIds([...before, ...after])).toEqual(stripIds(expected));
    expect(b.stats().events).toBe(recorded.length);
  });

  it('reports memory per detector and model', () => {
    const runner = createDetectorRunner({
      bus: createMemoryBus(),
      detectors: detectors(),
      onAlert: () => {},
    });
    recorded.slice(0, 10).forEach((e) => runner.process(e));
    const mem = runner.memory();
    expect(mem.map((m) => m.model).sort()).toEqual(['bc', 'bc2']);
    expect(mem.every((m) => m.detector === 'drift' && m.bytes > 0)).toBe(true);
    expect(runner.list()).toEqual([
      { name: 'drift', description: expect.any(String), models: ['bc', 'bc2'] },
    ]);
    expect(runner.state('drift', 'bc')).toMatchObject({ closed: 0 });
    expect(runner.state('drift', 'nope')).toBeUndefined();
  });

  it('counts invalid bus messages and detector failures instead of stopping', async () => {
    const broken: Detector<null> = {
      name: 'broken',
      description: 'always throws',
      init: () => null,
      observe: () => {
        throw new Error('boom');
      },
      stateSize: () => 0,
      serialize: () => null,
      deserialize: () => null,
    };
    const bus = createMemoryBus();
    const errors: unknown[] = [];
    const runner = createDetectorRunner({
      bus,
      detectors: [broken, ...detectors()],
      onAlert: () => {},
      onError: (e) => errors.push(e),
    });
    await runner.start();
    await bus.publish(Subjects.inferenceCompleted, { hello: 'world' });
    await bus.publish(Subjects.inferenceCompleted, recorded[0]);
    await new Promise((r) => setTimeout(r, 5));
    expect(runner.stats()).toMatchObject({ events: 1, invalidEvents: 1, detectorErrors: 1 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'DETECT_EVENT_INVALID' });
    await runner.stop();
  });

  it('refuses two detectors with the same name', () => {
    expect(() =>
      createDetectorRunner({
        bus: createMemoryBus(),
        detectors: [...detectors(), ...detectors()],
        onAlert: () => {},
      }),
    ).toThrow(/unique/);
  });
});
