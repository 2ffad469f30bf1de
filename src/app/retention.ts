import type { AuditEntry } from '../core/index.js';
import { forgetPrunedEvents } from '../forensics/index.js';
import { pruneLedger, type PrunePlan } from '../ledger/index.js';
import type { Store } from '../store/index.js';

// Retention (issue 19): prune a stream's old payloads, record the prune in the audit ledger
// first, and drop what the forensics index repeats of the pruned events. Used by
// `aisoc ledger prune` and by the periodic job that applies `ledger.retention`.

export interface PruneStreamOptions {
  readonly store: Store;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  readonly audit: (entry: AuditEntry) => Promise<void>;
  readonly stream: string;
  readonly before: string;
  readonly actor: string;
  readonly reason: string;
}

/** Prunes one stream (see pruneLedger) with the audit record and the index clean-up. */
export async function pruneStream(options: PruneStreamOptions): Promise<PrunePlan> {
  const { store, stream } = options;
  const plan = await pruneLedger(store, {
    stream,
    before: options.before,
    actor: options.actor,
    reason: options.reason,
    record: (p) =>
      options.audit({
        type: 'ledger.pruned',
        actor: options.actor,
        at: new Date().toISOString(),
        reason: options.reason,
        ledger: stream,
        fromSeq: p.fromSeq,
        toSeq: p.toSeq,
        before: p.before,
        checkpointSize: p.checkpointSize,
        checkpointRoot: p.checkpointRoot,
      }),
  });
  if (stream === 'inference' && plan.toSeq > 0) await forgetPrunedEvents(store, plan.toSeq);
  return plan;
}

export interface RetentionOptions {
  readonly store: Store;
  readonly audit: PruneStreamOptions['audit'];
  /** Per stream, entries older than this many days are pruned. */
  readonly retention: Readonly<Record<string, { maxAgeDays: number } | undefined>>;
  readonly intervalMs: number;
  readonly now?: () => number;
  readonly log: (line: string) => void;
}

const DAY_MS = 86_400_000;

/** Applies `ledger.retention` once: every configured stream, oldest-first prefix. */
export async function applyRetention(options: RetentionOptions): Promise<PrunePlan[]> {
  const now = options.now?.() ?? Date.now();
  const plans: PrunePlan[] = [];
  for (const [stream, rule] of Object.entries(options.retention)) {
    if (!rule) continue;
    const before = new Date(now - rule.maxAgeDays * DAY_MS).toISOString();
    const plan = await pruneStream({
      store: options.store,
      audit: options.audit,
      stream,
      before,
      actor: 'system:retention',
      reason: `ledger.retention.${stream}.maxAgeDays = ${rule.maxAgeDays}`,
    });
    if (plan.toSeq > plan.fromSeq)
      options.log(
        `retention: pruned ${stream} entries ${plan.fromSeq}..${plan.toSeq - 1} (before ${before})`,
      );
    plans.push(plan);
  }
  return plans;
}

/** Runs applyRetention now and every `intervalMs`; a failed run is logged and retried next time. */
export function startRetention(options: RetentionOptions): { close(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let closed = false;
  const run = () => {
    if (closed) return;
    running = applyRetention(options).catch((e: unknown) =>
      options.log(`retention failed (retried in ${options.intervalMs} ms): ${String(e)}`),
    );
  };
  run();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return {
    close: async () => {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
