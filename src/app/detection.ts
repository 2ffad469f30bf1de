import { readFile } from 'node:fs/promises';
import { createFileCheckpointStore } from './file-checkpoint-store.js';
import {
  createInlineInspector,
  skipInspectedInline,
  type InlineInspector,
} from './inline-detection.js';
import { isSystemEvent } from './system-principal.js';
import { Subjects, type Bus, type Subscription } from '../bus/index.js';
import type { ModelConfig } from '../config/index.js';
import type { Alert, InferenceEvent } from '../core/index.js';
import {
  buildBaseline,
  createDetectorRunner,
  createExtractionDetector,
  loadReferenceBaseline,
  createDriftDetector,
  createOutputDriftDetector,
  createDecoyDetector,
  createPerformanceMonitor,
  formatFromPath,
  parseParquet,
  parseTable,
  type BaselineProfile,
  type ExtractionOptions,
  type Detector,
  type DetectorRunner,
  type PerformanceMonitor,
} from '../detect/index.js';

export interface Detection {
  runner: DetectorRunner;
  /** Blocking mode: runs a model's per-principal detectors on one answered query now. */
  inline: InlineInspector;
  performance: PerformanceMonitor;
  /** The most recent alerts, newest last (bounded; the respond module keeps them for good). */
  recentAlerts(filter: { model?: string; limit: number }): Alert[];
  close(): Promise<void>;
}

const MAX_RECENT_ALERTS = 1000;

/** Whether a model gets the per-principal extraction/evasion detectors (labelled CSV reference rows). */
export function hasPrincipalDetectors(model: ModelConfig): boolean {
  return model.baseline?.endsWith('.csv') === true;
}

/** A model's extraction options from aisoc.yaml, its per-key entitlements folded into the profile. */
export function extractionOptionsFor(model: ModelConfig): ExtractionOptions {
  const d = model.detection;
  const options = (d?.extraction ?? {}) as ExtractionOptions;
  if (!d?.keys || options.profile === false) return options;
  const profile = options.profile ?? {};
  return { ...options, profile: { ...profile, keys: { ...(profile.keys ?? {}), ...d.keys } } };
}

/**
 * Starts the detectors beside the gateway: drift against each model's baseline, the
 * performance monitor fed by ground-truth labels, and whatever `extra` detectors are given.
 * Alerts go to the bus (`detect.alert.raised`) and to a bounded in-memory list.
 */
export async function startDetection(options: {
  bus: Bus;
  models: readonly ModelConfig[];
  extra?: readonly Detector<unknown>[];
  /** True for the in-process bus: its events were built by this process's gateway. */
  trustedEvents: boolean;
  /** Where detector state is checkpointed (every 10,000 events and at shutdown). */
  checkpointFile: string;
  log: (line: string) => void;
}): Promise<Detection> {
  const { bus, log } = options;
  const recent: Alert[] = [];
  const remember = (alert: Alert) => {
    if (recent.some((a) => a.id === alert.id)) return;
    recent.push(alert);
    if (recent.length > MAX_RECENT_ALERTS) recent.splice(0, recent.length - MAX_RECENT_ALERTS);
  };
  // Alerts raised elsewhere (integrity monitor, data audit, admission) are listed too.
  const alertSub: Subscription = await bus.subscribe<Alert>(Subjects.alertRaised, (m) =>
    remember(m.data),
  );
  const raise = (alert: Alert) => {
    remember(alert);
    return bus
      .publish(Subjects.alertRaised, alert)
      .catch((e) => log(`alert publish failed: ${String(e)}`));
  };
  const { perSubject, perModel, inlineDetectors } = await buildDetectors(options.models);
  const extra = (options.extra ?? []).map(ignoringSystemProbes);
  const detectors: Detector<unknown>[] = [...extra, ...perSubject, ...perModel];
  const runner = createDetectorRunner({
    bus,
    detectors,
    onAlert: raise,
    trustedEvents: options.trustedEvents,
    checkpoint: {
      store: createFileCheckpointStore(options.checkpointFile, log),
      everyEvents: 10_000,
    },
    onError: (error, context) =>
      log(`detector ${context.detector ?? '?'} failed: ${String(error)}`),
  });
  await runner.start();
  const performance = createPerformanceMonitor({
    windowSize: 200,
    maxRelativeDrop: { precision: 0.4 },
    onAlert: (a) => void raise(a),
  });
  const perfSub: Subscription = await bus.subscribe<InferenceEvent>(
    Subjects.inferenceCompletedAll,
    (m) => performance.observe(m.data),
  );
  return {
    runner,
    inline: createInlineInspector(runner, inlineDetectors),
    performance,
    recentAlerts: ({ model, limit }) =>
      recent.filter((a) => model === undefined || a.model === model).slice(-limit),
    close: async () => {
      await perfSub.unsubscribe();
      await alertSub.unsubscribe();
      await runner.stop();
    },
  };
}

/**
 * The detectors of the configured models, in two stages: per subject (extraction and evasion
 * per principal, decoys), whose state partitions by key or source network, and per model
 * (input and output drift), which must see every event of a model.
 */
export async function buildDetectors(models: readonly ModelConfig[]): Promise<{
  perSubject: Detector<unknown>[];
  perModel: Detector<unknown>[];
  inlineDetectors: Map<string, string>;
}> {
  const baselines: Record<string, BaselineProfile> = {};
  for (const model of models) {
    if (model.baseline) baselines[model.id] = await loadBaseline(model.baseline);
  }
  const perSubject: Detector<unknown>[] = [];
  const inlineDetectors = new Map<string, string>(); // model → detector name
  for (const model of models) {
    // Per-principal extraction and evasion detection needs labelled numeric reference rows.
    if (model.baseline && hasPrincipalDetectors(model)) {
      const detector = forModel(
        createExtractionDetector(
          loadReferenceBaseline(model.baseline, model.id),
          extractionOptionsFor(model),
        ),
        model.id,
      );
      perSubject.push(skipInspectedInline(detector));
      inlineDetectors.set(model.id, detector.name);
    }
  }
  const decoys = models.filter((m) => m.decoy).map((m) => m.id);
  if (decoys.length > 0) perSubject.push(createDecoyDetector({ decoys }) as Detector<unknown>);
  // Every model's answers are profiled per version; needs no baseline and no labels.
  const perModel: Detector<unknown>[] = [createOutputDriftDetector() as Detector<unknown>];
  if (Object.keys(baselines).length > 0) {
    perModel.push(
      createDriftDetector({ baselines, window: { kind: 'count', size: 500 } }) as Detector<unknown>,
    );
  }
  return {
    perSubject: perSubject.map(ignoringSystemProbes),
    perModel: perModel.map(ignoringSystemProbes),
    inlineDetectors,
  };
}

/** aisoc's own fingerprint probes are recorded like any event but never judged as a caller. */
function ignoringSystemProbes(detector: Detector<unknown>): Detector<unknown> {
  return {
    ...detector,
    observe: (state, event) => (isSystemEvent(event) ? [] : detector.observe(state, event)),
  };
}

/** A detector built for one model's baseline, named after it and blind to other models. */
function forModel<S>(detector: Detector<S>, model: string): Detector<unknown> {
  return {
    ...detector,
    name: `${detector.name}:${model}`,
    observe: (state, event) => (event.model === model ? detector.observe(state as S, event) : []),
  } as Detector<unknown>;
}

async function loadBaseline(path: string): Promise<BaselineProfile> {
  const format = formatFromPath(path);
  const table =
    format === 'parquet'
      ? await parseParquet(await readFile(path))
      : parseTable(await readFile(path, 'utf8'), format);
  return buildBaseline(table, { name: path, exclude: ['label'] });
}
