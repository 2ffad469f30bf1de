import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'hono';
import {
  ApiErrorCodes,
  createConsoleRoutes,
  type AdminServices,
  type ConsoleServices,
  type LiveEvent,
} from '../api/index.js';
import { Subjects, type Bus } from '../bus/index.js';
import type { AisocConfig } from '../config/index.js';
import { AppError, type Alert } from '../core/index.js';
import {
  appendDrillHistory,
  loadDrillData,
  readDrillHistory,
  runDrill,
  SCENARIOS,
} from '../drill/index.js';
import type { Responder } from '../respond/index.js';
import { packageRoot } from './demo.js';
import { consoleDir, withConsole } from './console-static.js';
import { incidentReview } from './report-wiring.js';

export interface ConsoleWiringDeps {
  config: Readonly<AisocConfig>;
  responder: Responder;
  services: AdminServices;
  bus: Bus;
  adminToken: string;
  /** The gateway and admin URLs, known once both listen (drills run against them). */
  urls: () => { gatewayUrl?: string; adminUrl?: string };
  log: (line: string) => void;
}

const BUCKET_MS = 60_000;
// Clocks are computed from each open incident's review; the overview shows at most this many.
const MAX_CLOCK_INCIDENTS = 20;

/** Alerts per detector per minute, oldest first: the overview's chart. */
export function alertsPerDetector(alerts: readonly Pick<Alert, 'detector' | 'time'>[]) {
  const buckets = new Map<number, Record<string, number>>();
  const detectors = new Set<string>();
  for (const a of alerts) {
    const t = Math.floor(Date.parse(a.time) / BUCKET_MS) * BUCKET_MS;
    if (!Number.isFinite(t)) continue;
    const row = buckets.get(t) ?? {};
    row[a.detector] = (row[a.detector] ?? 0) + 1;
    buckets.set(t, row);
    detectors.add(a.detector);
  }
  return {
    bucketMs: BUCKET_MS,
    detectors: [...detectors].sort(),
    buckets: [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, counts]) => ({ at: new Date(t).toISOString(), counts })),
  };
}

/** Requests per model and outcome from the Prometheus text of `/metrics`. */
export function requestsPerModel(metricsText: string) {
  const out: { model: string; outcome: string; count: number }[] = [];
  const line = /^aisoc_inference_requests_total\{([^}]*)\}\s+(\S+)$/gm;
  for (const m of metricsText.matchAll(line)) {
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    out.push({ model: labels.model ?? '?', outcome: labels.outcome ?? '?', count: Number(m[2]) });
  }
  return out;
}

/** The console's services: the overview, the live stream from the bus, and drills. */
export async function createConsoleServices(
  deps: ConsoleWiringDeps,
): Promise<{ services: ConsoleServices; close: () => Promise<void> }> {
  const listeners = new Set<(event: LiveEvent) => void>();
  const emit = (event: LiveEvent) => {
    for (const l of listeners) l(event);
  };
  const subscriptions = await Promise.all([
    deps.bus.subscribe<Alert>(Subjects.alertRaised, (m) => emit({ type: 'alert', data: m.data })),
    deps.bus.subscribe(Subjects.actionApplied, (m) => emit({ type: 'action', data: m.data })),
    deps.bus.subscribe(Subjects.actionLifted, (m) => emit({ type: 'action', data: m.data })),
  ]);
  const historyFile = join(deps.config.dataDir, 'drills', 'history.jsonl');
  const running = new Map<string, { id: string; scenario: string; startedAt: string }>();

  const overview = async () => {
    const open = await deps.responder.incidents.list({ open: true, limit: 1000 });
    const bySeverity: Record<string, number> = {};
    for (const i of open) {
      const severity = i.severity.override?.severity ?? i.severity.computed;
      bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
    }
    const clocks = [];
    for (const incident of open.slice(0, MAX_CLOCK_INCIDENTS)) {
      const review = await incidentReview(deps.config, deps.responder, incident.id);
      for (const clock of review.clocks) clocks.push({ incidentId: incident.id, ...clock });
    }
    const status = await deps.services.status();
    return {
      openIncidents: open.length,
      bySeverity,
      clocks,
      alerts: alertsPerDetector(deps.services.detection.alerts({ limit: 1000 })),
      requests: requestsPerModel((await deps.services.metrics()).body),
      metrics: await deps.responder.metrics(),
      ledger: {
        stats: status.ledger,
        health: (await deps.services.health?.()) ?? null,
        streams: deps.services.ledger.streams(),
        // How far each configured witness is behind (ledger.witnesses); [] when none.
        witnesses: (status as { witnesses?: unknown[] }).witnesses ?? [],
      },
      models: status.models,
    };
  };

  const start: ConsoleServices['drills']['start'] = async (input, actor) => {
    if (!(SCENARIOS as readonly string[]).includes(input.scenario))
      throw new AppError(
        'VALIDATION_FAILED',
        `body.scenario: expected one of ${SCENARIOS.join(', ')}`,
        { status: 400 },
      );
    const { gatewayUrl, adminUrl } = deps.urls();
    if (!gatewayUrl || !adminUrl)
      throw new AppError(
        ApiErrorCodes.API_DRILL_UNAVAILABLE,
        'this aisoc runs no gateway and admin API to drill',
        { status: 409 },
      );
    const id = randomUUID();
    const model = input.model ?? 'breast-cancer';
    const data = loadDrillData(join(packageRoot(), 'data'), model);
    const entry = { id, scenario: input.scenario, startedAt: new Date().toISOString() };
    running.set(id, entry);
    emit({ type: 'drill', data: { ...entry, state: 'running', by: actor } });
    void runDrill(input.scenario, {
      gatewayUrl,
      adminUrl,
      adminToken: deps.adminToken,
      model,
      data,
      ...(input.budget ? { budget: input.budget } : {}),
      ...(input.attack ? { attack: input.attack } : {}),
      onProgress: (line) => emit({ type: 'drill', data: { ...entry, state: 'running', line } }),
    })
      .then((card) => {
        appendDrillHistory(historyFile, { ...card, recordedAt: new Date().toISOString() });
        emit({ type: 'drill', data: { ...entry, state: 'done', scorecard: card } });
      })
      .catch((error: unknown) => {
        deps.log(`console drill ${id} failed: ${String(error)}`);
        emit({ type: 'drill', data: { ...entry, state: 'failed', error: String(error) } });
      })
      .finally(() => running.delete(id));
    return { id };
  };

  return {
    services: {
      overview,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      drills: {
        list: async () => ({
          history: readDrillHistory(historyFile),
          running: [...running.values()],
        }),
        start,
      },
    },
    close: async () => {
      listeners.clear();
      for (const s of subscriptions) await s.unsubscribe();
    },
  };
}

/** The console's routes, its static files in front of the admin API, and what to close. */
export async function startConsole(deps: ConsoleWiringDeps) {
  const { services, close } = await createConsoleServices(deps);
  return {
    routes: (actor: (c: Context) => string) => createConsoleRoutes(services, actor),
    serve: (api: (req: Request) => Response | Promise<Response>) =>
      withConsole(api, consoleDir(packageRoot())),
    close,
  };
}
