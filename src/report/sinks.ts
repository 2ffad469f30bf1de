import type { Alert } from '../core/index.js';
import { alertToCef, incidentToCef } from './cef.js';
import { reportError, ReportErrorCodes } from './errors.js';
import type { Review } from './review.js';
import { formatSyslog, sendSyslog, type SyslogFacility } from './syslog.js';
import { alertToTheHive, incidentToTheHiveCase, postTheHive } from './thehive.js';

/** A configured sink with its secrets read: where alerts stream and incidents can be sent. */
export type AlertSink =
  | {
      name: string;
      kind: 'syslog';
      url: string;
      facility: SyslogFacility;
      ca?: string;
      minSeverity: string;
    }
  | {
      name: string;
      kind: 'thehive';
      url: string;
      apiKey: string;
      organisation?: string;
      minSeverity: string;
    };

const RANK: Record<string, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface SinkStats {
  name: string;
  kind: string;
  sent: number;
  failed: number;
  queued: number;
  lastError: string | null;
}

export interface AlertSinks {
  /** Queues an alert for every sink whose minimum severity it meets; never throws, never waits. */
  deliver(alert: Alert): void;
  /** Sends an incident to one sink now (`aisoc export incident --sink`); throws on failure. */
  sendIncident(
    name: string,
    review: Review,
  ): Promise<{ sink: string; kind: string; ref: string | null }>;
  names(): string[];
  stats(): SinkStats[];
  /** Waits for what is queued (bounded by the retries), then stops. */
  close(): Promise<void>;
}

const MAX_QUEUE = 1000;

/**
 * Streams raised alerts to SOC tools: CEF over syslog, or TheHive alerts. Each sink has its own
 * ordered queue with bounded retries, so a dead collector costs a counter, not the responder.
 */
export function createAlertSinks(
  sinks: AlertSink[],
  options: {
    version: string;
    log: (line: string) => void;
    retryDelaysMs?: number[];
    sleep?: (ms: number) => Promise<void>;
  },
): AlertSinks {
  const retryDelays = options.retryDelaysMs ?? [500, 2000];
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const byName = new Map(sinks.map((s) => [s.name, s]));
  const state = new Map(
    sinks.map((s) => [
      s.name,
      {
        queue: [] as Alert[],
        running: null as Promise<void> | null,
        sent: 0,
        failed: 0,
        lastError: null as string | null,
      },
    ]),
  );
  let closed = false;

  async function sendAlert(sink: AlertSink, alert: Alert): Promise<void> {
    if (sink.kind === 'thehive') {
      await postTheHive(sink, 'alert', alertToTheHive(alert));
      return;
    }
    const msg = formatSyslog({
      facility: sink.facility,
      severity: alert.severity,
      time: new Date(alert.time),
      msgId: 'alert',
      msg: alertToCef(alert, options.version),
    });
    await sendSyslog({ url: sink.url, ...(sink.ca ? { ca: sink.ca } : {}) }, [msg]);
  }

  async function drain(sink: AlertSink): Promise<void> {
    const s = state.get(sink.name)!;
    while (s.queue.length > 0) {
      const alert = s.queue[0]!;
      let error: unknown = null;
      for (let attempt = 0; attempt <= retryDelays.length; attempt++) {
        try {
          await sendAlert(sink, alert);
          error = null;
          break;
        } catch (e) {
          error = e;
          if (attempt < retryDelays.length && !closed) await sleep(retryDelays[attempt]!);
        }
      }
      s.queue.shift();
      if (error === null) s.sent++;
      else {
        s.failed++;
        s.lastError = (error as Error).message;
        options.log(`sink ${sink.name}: alert ${alert.id} not delivered: ${s.lastError}`);
      }
    }
  }

  return {
    deliver(alert) {
      if (closed) return;
      for (const sink of sinks) {
        if ((RANK[alert.severity] ?? 0) < (RANK[sink.minSeverity] ?? 0)) continue;
        const s = state.get(sink.name)!;
        if (s.queue.length >= MAX_QUEUE) {
          s.failed++;
          s.lastError = `queue full (${MAX_QUEUE}): collector too slow or down`;
          continue;
        }
        s.queue.push(alert);
        if (!s.running)
          s.running = drain(sink).finally(() => {
            s.running = null;
          });
      }
    },
    async sendIncident(name, review) {
      const sink = byName.get(name);
      if (!sink)
        throw reportError(
          ReportErrorCodes.REPORT_SINK_UNKNOWN,
          `no sink "${name}" in respond.sinks${byName.size > 0 ? ` (configured: ${[...byName.keys()].join(', ')})` : ' (none configured)'}`,
        );
      if (sink.kind === 'thehive') {
        const { id } = await postTheHive(sink, 'case', incidentToTheHiveCase(review));
        return { sink: name, kind: 'thehive', ref: id };
      }
      const messages = incidentToCef(review, options.version).map((msg) =>
        formatSyslog({
          facility: sink.facility,
          severity: review.incident.severity.computed,
          time: new Date(),
          msgId: 'incident',
          msg,
        }),
      );
      await sendSyslog({ url: sink.url, ...(sink.ca ? { ca: sink.ca } : {}) }, messages);
      return { sink: name, kind: 'syslog', ref: null };
    },
    names: () => [...byName.keys()],
    stats: () =>
      sinks.map((sink) => {
        const s = state.get(sink.name)!;
        return {
          name: sink.name,
          kind: sink.kind,
          sent: s.sent,
          failed: s.failed,
          queued: s.queue.length,
          lastError: s.lastError,
        };
      }),
    async close() {
      closed = true;
      await Promise.all([...state.values()].map((s) => s.running));
    },
  };
}
