/**
 * A per-model circuit breaker (after Nygard, "Release It!"): closed while the model answers;
 * open, answering from the fallback, once its error or refusal rate over a sliding window
 * passes a threshold at a minimum volume; after `openMs` half-open, letting `probes` requests
 * through to the model: all of them answered closes it, any failure opens it again.
 */
export interface CircuitBreakerSettings {
  readonly windowMs: number;
  readonly minRequests: number;
  /** Share of requests the model failed (5xx, unreachable, timed out) that opens the breaker. */
  readonly errorRate: number;
  /** Share of requests the model refused (4xx from the model itself) that opens it; null: ignored. */
  readonly refusalRate: number | null;
  readonly openMs: number;
  readonly probes: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitChange {
  readonly model: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: number;
  /** Why: the rates over the window that opened it, or the probes that closed it. */
  readonly reason: string;
  readonly requests: number;
  readonly errorRate: number;
  readonly refusalRate: number;
}

export type Outcome = 'ok' | 'error' | 'refused';

export interface CircuitBreaker {
  /** Whether this request goes to the model (true) or to the fallback (false). */
  admit(now?: number): boolean;
  record(outcome: Outcome, now?: number): void;
  readonly state: CircuitState;
}

const SLOTS = 10;

export function createCircuitBreaker(
  model: string,
  settings: CircuitBreakerSettings,
  onChange: (change: CircuitChange) => void,
  clock: () => number = Date.now,
): CircuitBreaker {
  const slotMs = settings.windowMs / SLOTS;
  // A ring of SLOTS buckets, each `slotMs` long: the window slides one slot at a time.
  const slots = Array.from({ length: SLOTS }, () => ({
    start: -1,
    total: 0,
    errors: 0,
    refused: 0,
  }));
  let state: CircuitState = 'closed';
  let openedAt = 0;
  let probesSent = 0;
  let probesOk = 0;

  const totals = (now: number) => {
    let total = 0;
    let errors = 0;
    let refused = 0;
    for (const s of slots) {
      if (s.start < 0 || now - s.start >= settings.windowMs) continue;
      total += s.total;
      errors += s.errors;
      refused += s.refused;
    }
    return {
      total,
      errorRate: total === 0 ? 0 : errors / total,
      refusalRate: total === 0 ? 0 : refused / total,
    };
  };
  const change = (to: CircuitState, now: number, reason: string) => {
    const from = state;
    state = to;
    const t = totals(now);
    onChange({
      model,
      from,
      to,
      at: now,
      reason,
      requests: t.total,
      errorRate: t.errorRate,
      refusalRate: t.refusalRate,
    });
  };
  const reset = () => {
    for (const s of slots) Object.assign(s, { start: -1, total: 0, errors: 0, refused: 0 });
  };

  return {
    get state() {
      return state;
    },
    admit(now = clock()) {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (now - openedAt < settings.openMs) return false;
        probesSent = 0;
        probesOk = 0;
        change('half_open', now, `${settings.openMs} ms open: probing the model`);
      }
      if (probesSent >= settings.probes) return false;
      probesSent += 1;
      return true;
    },
    record(outcome, now = clock()) {
      if (state === 'half_open') {
        if (outcome === 'ok') {
          probesOk += 1;
          if (probesOk >= settings.probes) {
            reset();
            change('closed', now, `${probesOk} probe(s) answered: the model recovered`);
          }
        } else {
          openedAt = now;
          change('open', now, `a probe ${outcome === 'error' ? 'failed' : 'was refused'}`);
        }
        return;
      }
      if (state === 'open') return; // an answer that left before it opened
      const slotStart = Math.floor(now / slotMs) * slotMs;
      const slot = slots[Math.floor(now / slotMs) % SLOTS]!;
      if (slot.start !== slotStart)
        Object.assign(slot, { start: slotStart, total: 0, errors: 0, refused: 0 });
      slot.total += 1;
      if (outcome === 'error') slot.errors += 1;
      if (outcome === 'refused') slot.refused += 1;
      const t = totals(now);
      if (t.total < settings.minRequests) return;
      const errors = t.errorRate >= settings.errorRate;
      const refusals = settings.refusalRate !== null && t.refusalRate >= settings.refusalRate;
      if (!errors && !refusals) return;
      openedAt = now;
      change(
        'open',
        now,
        errors
          ? `error rate ${t.errorRate.toFixed(2)} ≥ ${settings.errorRate} over ${t.total} requests`
          : `refusal rate ${t.refusalRate.toFixed(2)} ≥ ${settings.refusalRate} over ${t.total} requests`,
      );
    },
  };
}
