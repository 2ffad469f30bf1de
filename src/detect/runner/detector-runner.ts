// Feeds detectors from the bus: one state per (detector, model), findings turned into alerts
// with ids, state checkpoints, and a memory report. The detectors stay pure; this is the
// side-effect half (STYLE.md: decide pure, act beside).
import {
  type Alert,
  createId,
  type InferenceEvent,
  InferenceEventSchema,
} from '../../core/index.js';
import { type Bus, Subjects, type Subscription } from '../../bus/index.js';
import type { Detector, Finding } from '../detector.js';
import { detectError, DetectErrorCodes } from '../errors.js';

/** Where checkpoints live (the lead wires a store-backed one; tests use memory or a file). */
export interface CheckpointStore {
  load(): Promise<RunnerCheckpoint | null>;
  save(checkpoint: RunnerCheckpoint): Promise<void>;
}

export interface RunnerCheckpoint {
  version: 1;
  events: number;
  states: { detector: string; model: string; state: unknown }[];
}

export interface DetectorRunnerOptions {
  bus: Bus;
  // Detectors keep their own state types; the runner only passes states back to their owner.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  detectors: readonly Detector<any>[];
  onAlert: (alert: Alert) => void | Promise<void>;
  checkpoint?: { store: CheckpointStore; everyEvents?: number };
  /**
   * Subscribe durably (a worker that restarts resumes where it stopped). Two durable names are
   * used, `<name>-bare` and `<name>-models`, one per subscribed pattern.
   */
  durable?: { name: string; deliver?: 'all' | 'new' };
  /** Alert ids; default createId('alr') at the finding's event time. */
  createAlertId?: (finding: Finding) => string;
  onError?: (error: unknown, context: { detector?: string; eventId?: string }) => void;
  /**
   * Skip schema validation of bus messages: only for the in-process bus, whose events the
   * gateway in this process built itself (validating each costs ~1–2% of the gateway's CPU).
   */
  trustedEvents?: boolean;
}

export interface MemoryReportEntry {
  detector: string;
  model: string;
  bytes: number;
}

export interface DetectorRunner {
  /** Restores the last checkpoint (if any) and subscribes to inference events. */
  start(): Promise<void>;
  /** Unsubscribes, waits for pending alert deliveries, saves a final checkpoint. */
  stop(): Promise<void>;
  /** Runs every detector on one event (what the bus handler calls; also for replays). */
  process(event: InferenceEvent): Alert[];
  /**
   * Runs one detector on one event now, on the same state the bus feeds, and delivers its alerts
   * like `process` does: the gateway's blocking mode inspects a query before answering. The
   * caller makes sure the bus copy of that event is not observed a second time.
   */
  processWith(detector: string, event: InferenceEvent): Alert[];
  /** Resolves when every alert handed to onAlert so far has been delivered. */
  flush(): Promise<void>;
  checkpoint(): RunnerCheckpoint;
  restore(checkpoint: RunnerCheckpoint): void;
  memory(): MemoryReportEntry[];
  /** The detectors with the models each holds state for (for the API's listing). */
  list(): { name: string; description: string; models: string[] }[];
  /** The live state of one detector for one model (read it, do not change it). */
  state(detector: string, model: string): unknown;
  stats(): { events: number; alerts: number; invalidEvents: number; detectorErrors: number };
}

/** Creates a detector runner. Detector names must be unique. */
export function createDetectorRunner(options: DetectorRunnerOptions): DetectorRunner {
  const names = options.detectors.map((d) => d.name);
  if (new Set(names).size !== names.length)
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      `detector names must be unique: ${names.join(', ')}`,
    );
  const states = new Map<string, Map<string, unknown>>(names.map((n) => [n, new Map()]));
  const idFor = options.createAlertId ?? ((f: Finding) => createId('alr', Date.parse(f.time)));
  const counters = { events: 0, alerts: 0, invalidEvents: 0, detectorErrors: 0 };
  const subscriptions: Subscription[] = [];
  let delivery: Promise<void> = Promise.resolve();
  const report = (error: unknown, context: { detector?: string; eventId?: string }) =>
    options.onError?.(error, context);

  function stateFor(detector: Detector<unknown>, model: string): unknown {
    const byModel = states.get(detector.name)!;
    if (!byModel.has(model)) byModel.set(model, detector.init());
    return byModel.get(model);
  }

  function deliver(alert: Alert): void {
    delivery = delivery
      .then(() => options.onAlert(alert))
      .catch((error) => report(error, { detector: alert.detector }));
  }

  function process(event: InferenceEvent): Alert[] {
    counters.events++;
    const alerts: Alert[] = [];
    for (const detector of options.detectors) {
      let findings: Finding[];
      try {
        findings = detector.observe(stateFor(detector, event.model), event);
      } catch (error) {
        counters.detectorErrors++;
        report(error, { detector: detector.name, eventId: event.id });
        continue;
      }
      for (const f of findings) alerts.push({ id: idFor(f), ...f });
    }
    counters.alerts += alerts.length;
    alerts.forEach(deliver);
    const every = options.checkpoint?.everyEvents;
    if (every && counters.events % every === 0) saveCheckpoint();
    return alerts;
  }

  function processWith(name: string, event: InferenceEvent): Alert[] {
    const detector = options.detectors.find((d) => d.name === name);
    if (!detector)
      throw detectError(DetectErrorCodes.DETECT_OPTIONS_INVALID, `no detector named "${name}"`);
    let findings: Finding[];
    try {
      findings = detector.observe(stateFor(detector, event.model), event);
    } catch (error) {
      counters.detectorErrors++;
      report(error, { detector: name, eventId: event.id });
      return [];
    }
    const alerts = findings.map((f) => ({ id: idFor(f), ...f }));
    counters.alerts += alerts.length;
    alerts.forEach(deliver);
    return alerts;
  }

  function checkpoint(): RunnerCheckpoint {
    const out: RunnerCheckpoint = { version: 1, events: counters.events, states: [] };
    for (const detector of options.detectors)
      for (const [model, state] of states.get(detector.name)!)
        out.states.push({ detector: detector.name, model, state: detector.serialize(state) });
    return out;
  }

  function restore(cp: RunnerCheckpoint): void {
    if (cp?.version !== 1 || !Array.isArray(cp.states))
      throw detectError(
        DetectErrorCodes.DETECT_CHECKPOINT_INVALID,
        'runner checkpoint: not a version 1 checkpoint',
      );
    for (const entry of cp.states) {
      const detector = options.detectors.find((d) => d.name === entry.detector);
      if (!detector) continue; // a detector removed since: its state is dropped
      states.get(detector.name)!.set(entry.model, detector.deserialize(entry.state));
    }
    counters.events = cp.events;
  }

  function saveCheckpoint(): void {
    const store = options.checkpoint?.store;
    if (!store) return;
    const cp = checkpoint();
    delivery = delivery.then(() => store.save(cp)).catch((error) => report(error, {}));
  }

  function onMessage(message: { data: unknown }): void {
    if (options.trustedEvents) {
      process(message.data as InferenceEvent);
      return;
    }
    const parsed = InferenceEventSchema.safeParse(message.data);
    if (!parsed.success) {
      counters.invalidEvents++;
      report(
        detectError(
          DetectErrorCodes.DETECT_EVENT_INVALID,
          `invalid inference event at "${parsed.error.issues[0]?.path.join('.') ?? ''}": ${parsed.error.issues[0]?.message ?? 'unknown'}`,
        ),
        {},
      );
      return;
    }
    process(parsed.data);
  }

  return {
    async start() {
      const saved = await options.checkpoint?.store.load();
      if (saved) restore(saved);
      // The bare subject for single-stream buses, the wildcard for per-model NATS subjects.
      const patterns = [
        [Subjects.inferenceCompleted, 'bare'],
        [Subjects.inferenceCompletedAll, 'models'],
      ] as const;
      for (const [pattern, suffix] of patterns) {
        const d = options.durable;
        subscriptions.push(
          d
            ? await options.bus.subscribeDurable(pattern, `${d.name}-${suffix}`, onMessage, {
                deliver: d.deliver ?? 'all',
              })
            : await options.bus.subscribe(pattern, onMessage),
        );
      }
    },
    async stop() {
      for (const s of subscriptions.splice(0)) await s.unsubscribe();
      saveCheckpoint();
      await delivery;
    },
    process,
    processWith,
    flush: async () => {
      await delivery;
    },
    checkpoint,
    restore,
    memory() {
      const out: MemoryReportEntry[] = [];
      for (const detector of options.detectors)
        for (const [model, state] of states.get(detector.name)!)
          out.push({ detector: detector.name, model, bytes: detector.stateSize(state) });
      return out;
    },
    list: () =>
      options.detectors.map((d) => ({
        name: d.name,
        description: d.description,
        models: [...states.get(d.name)!.keys()].sort(),
      })),
    state: (detector, model) => states.get(detector)?.get(model),
    stats: () => ({ ...counters }),
  };
}
