/** One ledger entry for the unauthenticated requests one source made in one window. */
export interface SourceAggregate {
  type: 'gateway.unauthenticated.aggregated';
  source: string;
  from: string;
  to: string;
  count: number;
  /** Refusals by error code, e.g. `{ GATEWAY_KEY_INVALID: 7000, GATEWAY_SOURCE_LIMITED: 800 }`. */
  codes: Record<string, number>;
  /** Requests by model id named in the path (at most 16 kept; the rest under `*`). */
  models: Record<string, number>;
}

export interface SourceGuardOptions {
  ratePerSecond: number;
  burst: number;
  windowMs: number;
  /** Sources tracked at once; beyond it new ones share the `*` entry. Default 50,000. */
  maxSources?: number;
  now?: () => number;
}

interface SourceState {
  tokens: number;
  last: number;
  from: number;
  count: number;
  codes: Record<string, number>;
  models: Record<string, number>;
}

const MAX_MODELS = 16;

/** What createSourceGuard returns. */
export interface SourceGuard {
  /** Seconds until the source may fail again, or 0 when it is within its limit. */
  limitedFor(source: string): number;
  /** Counts one refused unauthenticated request into the source's bucket and aggregate. */
  refused(source: string, code: string, model: string | null): void;
  /** The aggregates whose window ended (all of them with `all`); forgets idle sources. */
  drain(all?: boolean): SourceAggregate[];
  readonly size: number;
}

/**
 * Per-source limits for requests that never authenticated (issue 14, finding 11): each one
 * takes a token from its source's bucket, an empty bucket turns the answer into 429, and
 * instead of one ledger row per refusal the source gets one aggregate entry per window.
 */
export function createSourceGuard(options: SourceGuardOptions): SourceGuard {
  const now = options.now ?? Date.now;
  const maxSources = options.maxSources ?? 50_000;
  const sources = new Map<string, SourceState>();

  const state = (source: string, t: number): SourceState => {
    let s = sources.get(source);
    if (s === undefined) {
      if (sources.size >= maxSources && source !== '*') return state('*', t);
      s = { tokens: options.burst, last: t, from: t, count: 0, codes: {}, models: {} };
      sources.set(source, s);
    } else {
      s.tokens = Math.min(options.burst, s.tokens + ((t - s.last) / 1000) * options.ratePerSecond);
      s.last = t;
    }
    return s;
  };

  return {
    /** Seconds until the source may fail again, or 0 when it is within its limit. */
    limitedFor(source: string): number {
      const s = sources.get(source);
      if (s === undefined) return 0;
      const t = now();
      const tokens = Math.min(
        options.burst,
        s.tokens + ((t - s.last) / 1000) * options.ratePerSecond,
      );
      return tokens >= 1 ? 0 : (1 - tokens) / options.ratePerSecond;
    },

    /** Counts one refused unauthenticated request into the source's bucket and aggregate. */
    refused(source: string, code: string, model: string | null): void {
      const t = now();
      const s = state(source, t);
      s.tokens = Math.max(0, s.tokens - 1);
      if (s.count === 0) s.from = t;
      s.count += 1;
      s.codes[code] = (s.codes[code] ?? 0) + 1;
      const m = model ?? '-';
      const slot = m in s.models || Object.keys(s.models).length < MAX_MODELS ? m : '*';
      s.models[slot] = (s.models[slot] ?? 0) + 1;
    },

    /** The aggregates whose window ended (all of them with `all`); forgets idle sources. */
    drain(all = false): SourceAggregate[] {
      const t = now();
      const out: SourceAggregate[] = [];
      for (const [source, s] of sources) {
        if (s.count > 0 && (all || t - s.from >= options.windowMs)) {
          out.push({
            type: 'gateway.unauthenticated.aggregated',
            source,
            from: new Date(s.from).toISOString(),
            to: new Date(t).toISOString(),
            count: s.count,
            codes: s.codes,
            models: s.models,
          });
          s.count = 0;
          s.codes = {};
          s.models = {};
        }
        const refilled = s.tokens + ((t - s.last) / 1000) * options.ratePerSecond;
        if (s.count === 0 && refilled >= options.burst) sources.delete(source);
      }
      return out;
    },

    get size(): number {
      return sources.size;
    },
  };
}
