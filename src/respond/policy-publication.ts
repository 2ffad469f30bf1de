import type { AppliedAction, Clock } from '../core/index.js';

/** Publishes the active actions to every gateway (the bus module's policy channel fits). */
export interface PolicyPublisher {
  publish(state: { version: number; actions: AppliedAction[] }): Promise<void>;
}

export interface PolicyPublicationOptions {
  listActive(): Promise<AppliedAction[]>;
  publisher: PolicyPublisher;
  clock: Clock;
  /** Hears about publications that failed and were left pending. */
  onPending?: (error: unknown) => void;
  /** Backoff of the background re-publication: first delay and cap (defaults 200 ms, 5 s). */
  retryMs?: { first: number; max: number };
}

/** Keeps the published policy equal to the stored active actions, across bus outages. */
export interface PolicyPublication {
  /** Publishes now; resolves true once published, false when left pending (retried until it goes through). */
  publish(): Promise<boolean>;
  /** Whether a change is stored but not yet published. */
  pending(): boolean;
  /** Tries a pending publication at once (the bus reconnected). */
  retryNow(): void;
  close(): void;
}

const MAX_ROUNDS = 16;

function code(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A bus that could not take the state: keep it pending. Anything else (the store, a bug) throws. */
function isBusFailure(error: unknown): boolean {
  const c = code(error);
  return typeof c === 'string' && c.startsWith('BUS_') && c !== 'BUS_POLICY_INVALID';
}

const sameActions = (a: AppliedAction[], b: AppliedAction[]) =>
  a.length === b.length && a.every((x, i) => x.id === b[i]!.id);

/**
 * The policy is the stored active set. A publisher that loses a compare-and-set race (another
 * admin API published a newer version) reads the set again and publishes above the winner, and
 * after publishing it checks that the set did not change meanwhile: racing publishers converge
 * on the latest set instead of answering 409 (issue 14, finding 14). A bus outage leaves the
 * publication pending and retried with backoff, never lost (finding 5).
 */
export function createPolicyPublication(options: PolicyPublicationOptions): PolicyPublication {
  const { publisher, clock } = options;
  const first = options.retryMs?.first ?? 200;
  const max = options.retryMs?.max ?? 5_000;
  let version = 0;
  let isPending = false;
  let delay = first;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  async function publishLatest(): Promise<void> {
    for (let round = 1; ; round++) {
      const actions = await options.listActive();
      // Versions only grow, even across restarts, so gateways can drop stale states.
      version = Math.max(version + 1, clock.now());
      try {
        await publisher.publish({ version, actions });
      } catch (error) {
        const current = (error as { details?: { current?: unknown } }).details?.current;
        if (code(error) !== 'BUS_POLICY_STALE' || round >= MAX_ROUNDS) throw error;
        if (typeof current === 'number') version = Math.max(version, current);
        continue;
      }
      // Checked after the caller has its answer, so it adds nothing to time-to-contain.
      void verify(actions);
      return;
    }
  }

  /** Another process may have changed the set after our read and lost the race to us: publish again. */
  async function verify(published: AppliedAction[]): Promise<void> {
    try {
      if (closed || sameActions(published, await options.listActive())) return;
    } catch {
      return; // the next change or the pending retry publishes the current set anyway
    }
    await attempt(true);
  }

  // One publication at a time per process; calls made meanwhile share the next one.
  function schedule(): Promise<void> {
    if (running === null) {
      running = publishLatest().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return schedule();
      });
    return queued;
  }

  function arm(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void attempt(true);
    }, delay);
    timer.unref();
    delay = Math.min(max, delay * 2);
  }

  // In the background every failure (the store too) keeps the publication pending.
  async function attempt(background = false): Promise<boolean> {
    try {
      await schedule();
      isPending = false;
      delay = first;
      return true;
    } catch (error) {
      if (!background && !isBusFailure(error)) throw error;
      isPending = true;
      options.onPending?.(error);
      arm();
      return false;
    }
  }

  return {
    publish: () => attempt(),
    pending: () => isPending,
    retryNow() {
      if (!isPending || closed) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      delay = first;
      void attempt(true);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
