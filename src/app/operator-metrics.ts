import { readFile } from 'node:fs/promises';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AppError } from '../core/index.js';
import type { Alert, InferenceEvent } from '../core/index.js';

/** What the operator metrics read at scrape time (off the request path). */
export interface OperatorMetricSources {
  /** Model ids the config knows: other names on events are counted as `other` (bounded labels). */
  models: readonly string[];
  incidentsOpen: () => Promise<number>;
  actionsActive: () => Promise<{ kind: string }[]>;
  detectorState: () => { detector: string; model: string; bytes: number }[];
}

/** The two feeds the metrics count: inference events as the gateway emits them, and alerts. */
export interface OperatorMetrics {
  observeInference(event: InferenceEvent): void;
  observeAlert(alert: Alert): void;
  /** One upstream call of the gateway: how long it took and its HTTP status (0: no answer). */
  observeUpstream(model: string, seconds: number, status: number): void;
}

// Request latency buckets in seconds: 1 ms (in-process ONNX) to 10 s (the upstream timeout).
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus series that follow the naming conventions (https://prometheus.io/docs/practices/naming/):
 * counters end in `_total`, durations are histograms in seconds, sizes in bytes.
 */
export function registerOperatorMetrics(
  registry: Registry,
  sources: OperatorMetricSources,
): OperatorMetrics {
  const known = new Set(sources.models);
  const model = (id: string) => (known.has(id) ? id : 'other');
  const requests = new Counter({
    name: 'aisoc_inference_requests_total',
    help: 'Inference requests answered by the gateway, by model and outcome',
    labelNames: ['model', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'aisoc_inference_request_duration_seconds',
    help: 'Time from request to answer at the gateway (upstream or in-process model included)',
    labelNames: ['model', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'aisoc_upstream_request_duration_seconds',
    help: 'Time an upstream model server took to answer the gateway, by model and status class (2xx…5xx, or error: no answer)',
    labelNames: ['model', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const alerts = new Counter({
    name: 'aisoc_alerts_total',
    help: 'Alerts raised, by detector, kind and severity',
    labelNames: ['detector', 'kind', 'severity'],
    registers: [registry],
  });
  new Gauge({
    name: 'aisoc_incidents_open',
    help: 'Incidents not closed or merged',
    registers: [registry],
    async collect() {
      this.set(await sources.incidentsOpen());
    },
  });
  new Gauge({
    name: 'aisoc_actions_active',
    help: 'Containment actions in force, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of await sources.actionsActive()) this.inc({ kind: a.kind });
    },
  });
  new Gauge({
    name: 'aisoc_detector_state_bytes',
    help: 'Estimated memory held by each detector for each model',
    labelNames: ['detector', 'model'],
    registers: [registry],
    collect() {
      this.reset();
      // Summed per label pair: every unknown model name falls into the one `other` series.
      for (const s of sources.detectorState())
        this.inc({ detector: s.detector, model: model(s.model) }, s.bytes);
    },
  });
  // One child per (model, outcome), looked up once: labelling by object hashes the labels on
  // every call, and this runs for every answered request. Models outside the config share
  // `other`, so the map stays small.
  const series = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    observeInference(event) {
      const m = model(event.model);
      const key = `${m}\u0000${event.outcome}`;
      let s = series.get(key);
      if (s === undefined) {
        s = { count: requests.labels(m, event.outcome), time: duration.labels(m, event.outcome) };
        series.set(key, s);
      }
      s.count.inc();
      s.time.observe(event.latencyMs / 1000);
    },
    observeUpstream(id, seconds, status) {
      const statusClass = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'error';
      upstream.observe({ model: model(id), status: statusClass }, seconds);
    },
    observeAlert(alert) {
      alerts.inc({ detector: alert.detector, kind: alert.kind, severity: alert.severity });
    },
  };
}

/** The token `/metrics` then requires (`admin.metricsTokenFile`), or undefined: open. */
export async function readMetricsToken(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch (cause) {
    throw new AppError('CONFIG_UNREADABLE', `admin.metricsTokenFile: cannot read ${file}`, {
      cause,
    });
  }
  if (token.length < 16)
    throw new AppError(
      'CONFIG_INVALID',
      `admin.metricsTokenFile: the token in ${file} is shorter than 16 characters`,
    );
  return token;
}
