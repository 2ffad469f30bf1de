import { benignQueries } from './attacks/index.js';
import type { DrillData } from './drill-data.js';
import { createHttpTarget, type HttpTarget } from './http-target.js';

/** Background traffic from several benign principals, one row at a time, until stopped. */
export interface BenignLoad {
  readonly principals: readonly string[];
  /** Queries answered, and 403/429 answers the benign principals got (collateral damage). */
  totals(): { queries: number; blocked: number };
  stop(): Promise<void>;
}

export interface BenignLoadOptions {
  readonly gatewayUrl: string;
  readonly model: string;
  readonly data: DrillData;
  /** principal → API key. */
  readonly keys: ReadonlyMap<string, string>;
  readonly seed: number;
  /** Pause between one principal's queries; default 20 ms. */
  readonly intervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startBenignLoad(o: BenignLoadOptions): BenignLoad {
  let running = true;
  const targets: HttpTarget[] = [];
  const loops = [...o.keys].map(async ([, apiKey], k) => {
    const target = createHttpTarget({ gatewayUrl: o.gatewayUrl, model: o.model, apiKey });
    targets.push(target);
    const rows = benignQueries({
      samples: o.data.holdout,
      queries: 5000,
      seed: o.seed * 101 + k,
      featureMin: o.data.featureMin,
      featureMax: o.data.featureMax,
    });
    for (let i = 0; running; i = (i + 1) % rows.length) {
      // A benign client that is throttled backs off and carries on; the drill counts it.
      await target.query([rows[i]!]).catch(() => sleep(200));
      await sleep(o.intervalMs ?? 20);
    }
  });
  return {
    principals: [...o.keys.keys()],
    totals: () => ({
      queries: targets.reduce((n, t) => n + t.answered.length, 0),
      blocked: targets.reduce(
        (n, t) => n + t.requests.filter((r) => r.status === 403 || r.status === 429).length,
        0,
      ),
    }),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The scorecard's benign half: their traffic, and the alerts that named one of them. */
export function benignOutcome(
  benign: BenignLoad,
  alerts: readonly { principal: string | null; detector: string }[],
) {
  const principals = new Set(benign.principals);
  const falseAlarms = alerts.filter((a) => a.principal !== null && principals.has(a.principal));
  const totals = benign.totals();
  return {
    benignPrincipals: benign.principals.length,
    benignQueries: totals.queries,
    benignBlocked: totals.blocked,
    falseAlarms: falseAlarms.length,
    falseAlarmPrincipals: [...new Set(falseAlarms.map((a) => a.principal!))],
    falseAlarmDetectors: [...new Set(falseAlarms.map((a) => a.detector))],
  };
}
