import { createId, type Alert } from '../core/index.js';
import type { LedgerLoss } from '../ledger/index.js';

export interface LossReporterOptions {
  log: (line: string) => void;
  /** Into the incident pipeline (the bus's `detect.alert.raised`). */
  raise: (alert: Alert) => void;
  /** At most one log line and one alert per window; the first loss is reported at once. */
  windowMs?: number;
  now?: () => number;
}

export interface LossReporter {
  report(loss: LedgerLoss): void;
  close(): void;
}

interface Tally {
  failed: number;
  dropped: number;
  streams: Set<string>;
  reasons: Set<string>;
  since: number;
}

const MAX_REASONS = 5;

/**
 * Turns the ledger writer's loss notices into a rate-limited log line and a `ledger.loss`
 * alert, so that an outage that costs records is never silent (issue 14, findings 7 and 8).
 */
export function createLossReporter(options: LossReporterOptions): LossReporter {
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  let tally: Tally | null = null;
  let timer: NodeJS.Timeout | undefined;

  const emit = () => {
    timer = undefined;
    if (tally === null) return;
    const t = tally;
    tally = null;
    const streams = [...t.streams].sort();
    const reasons = [...t.reasons];
    const title =
      `Ledger: ${t.dropped} event(s) lost, ${t.failed} write(s) failed` +
      ` (${t.dropped > 0 ? 'records are missing' : 'async entries are retried'}) on ${streams.join(', ')}`;
    options.log(`${title}: ${reasons.join('; ')}`);
    const at = now();
    options.raise({
      id: createId('alr', at),
      time: new Date(at).toISOString(),
      detector: 'ledger.loss',
      kind: 'integrity',
      model: null,
      principal: null,
      sourceAddress: null,
      severity: t.dropped > 0 ? 'high' : 'medium',
      confidence: 1,
      title,
      atlasTechniques: [],
      owasp: [],
      evidence: {
        failed: t.failed,
        dropped: t.dropped,
        streams,
        reasons,
        since: new Date(t.since).toISOString(),
      },
      eventIds: [],
    });
    timer = setTimeout(emit, windowMs);
    timer.unref();
  };

  return {
    report(loss) {
      tally ??= { failed: 0, dropped: 0, streams: new Set(), reasons: new Set(), since: now() };
      tally[loss.kind] += loss.count;
      tally.streams.add(loss.stream);
      if (tally.reasons.size < MAX_REASONS) tally.reasons.add(loss.reason);
      if (timer === undefined) emit();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      emit();
      if (timer) clearTimeout(timer);
    },
  };
}
