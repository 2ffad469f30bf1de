import {
  createNatsCoordination,
  partitionPattern,
  Subjects,
  type Bus,
  type Coordination,
  type Subscription,
} from '../bus/index.js';
import type { ModelConfig } from '../config/index.js';
import type { Alert } from '../core/index.js';
import {
  createDetectorRunner,
  createPerformanceMonitor,
  decodeModelStageBatch,
  findingAlertId,
  forwardingToModelStage,
  partitionToken,
  startPartitionWorker,
  type Detector,
  type PartitionSpec,
  type PartitionWorker,
} from '../detect/index.js';
import { buildDetectors, type Detection } from './detection.js';
import { assertNoEmbeddedDetection } from './role-mix.js';

const MAX_RECENT_ALERTS = 1000;

/** The partition a process's role split uses for the per-model (second) stage. */
export const MODEL_STAGE = 'models';

/**
 * Detection for a process that runs no detectors itself: an empty runner for the API's
 * listing, and the alerts other processes raise (so `GET /alerts` still answers).
 */
export async function startRemoteDetection(
  bus: Bus,
  extra: { close?: () => Promise<void>; stats?: () => Record<string, number> } = {},
): Promise<Detection> {
  const recent: Alert[] = [];
  const sub: Subscription = await bus.subscribe<Alert>(Subjects.alertRaised, (m) => {
    if (recent.some((a) => a.id === m.data.id)) return;
    recent.push(m.data);
    if (recent.length > MAX_RECENT_ALERTS) recent.splice(0, recent.length - MAX_RECENT_ALERTS);
  });
  const runner = createDetectorRunner({ bus, detectors: [], onAlert: () => {} });
  return {
    runner,
    inline: { inspect: () => null },
    performance: createPerformanceMonitor({ windowSize: 200, onAlert: () => {} }),
    recentAlerts: ({ model, limit }) =>
      recent.filter((a) => model === undefined || a.model === model).slice(-limit),
    close: async () => {
      await sub.unsubscribe();
      await extra.close?.();
    },
  };
}

/**
 * A detector worker of a scaled-out deployment (`--role detect` on NATS): it shares the
 * subject partitions (`p00`…) and the per-model stage with the other workers through leases in
 * the `<prefix>_scale` KV bucket, and checkpoints each partition's state there.
 */
export async function startPartitionedDetection(options: {
  bus: Bus;
  servers: string[];
  bucket: string;
  workerId: string;
  models: readonly ModelConfig[];
  partitions: number;
  log: (line: string) => void;
}): Promise<Detection & { worker: PartitionWorker }> {
  const { bus, log } = options;
  const { perSubject, perModel } = await buildDetectors(options.models);
  const raise = (alert: Alert) =>
    bus
      .publish(Subjects.alertRaised, alert)
      .catch((e) => log(`alert publish failed: ${String(e)}`));
  const runnerOf = (detectors: Detector<unknown>[]) => () =>
    createDetectorRunner({
      bus,
      detectors,
      onAlert: raise,
      createAlertId: findingAlertId,
      onError: (error, context) =>
        log(`detector ${context.detector ?? '?'} failed: ${String(error)}`),
    });
  const specs: PartitionSpec[] = [];
  for (let n = 0; n < options.partitions; n++) {
    const id = partitionToken(n);
    // Each key partition passes its events on to the per-model stage in batches.
    const runner = () =>
      forwardingToModelStage(runnerOf(perSubject)(), {
        publish: (batch) => bus.publish(`${Subjects.modelStageEvents}.${id}`, batch),
        onError: (e) => log(`model stage batch from ${id} not sent: ${String(e)}`),
      });
    specs.push({ id, pattern: partitionPattern(id), runner });
  }
  specs.push({
    id: MODEL_STAGE,
    pattern: `${Subjects.modelStageEvents}.>`,
    runner: runnerOf(perModel),
    decode: decodeModelStageBatch,
    light: true,
  });
  const coordination: Coordination = await createNatsCoordination({
    servers: options.servers,
    bucket: options.bucket,
  });
  let worker: PartitionWorker;
  try {
    await assertNoEmbeddedDetection(coordination, options.bucket);
    worker = await startPartitionWorker({
      bus,
      coordination,
      workerId: options.workerId,
      partitions: specs,
      log,
    });
  } catch (error) {
    await coordination.close();
    throw error;
  }
  const remote = await startRemoteDetection(bus, {
    close: async () => {
      await worker.close();
      await coordination.close();
    },
  });
  return { ...remote, worker };
}
