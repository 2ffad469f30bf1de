import type { LedgerWriterStats } from '../ledger/index.js';
import type { Store } from '../store/index.js';

export type CheckStatus = 'ok' | 'degraded' | 'down';

export interface HealthCheck {
  status: CheckStatus;
  detail?: string;
}

/** `unavailable` means not ready: a load balancer should send requests elsewhere. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'unavailable';
  ready: boolean;
  checks: { ledger: HealthCheck; store: HealthCheck; bus: HealthCheck };
}

export interface HealthOptions {
  /** A durable gateway that cannot record is not ready (it would answer every request 503). */
  durable: boolean;
  ledger: () => LedgerWriterStats;
  store: Store;
  /** Whether the bus and policy channel are connected; absent means in-process (always up). */
  busConnected?: () => boolean;
  /** A commit failure this recent (and no commit since) marks the ledger down. Default 5 s. */
  recentMs?: number;
  /** The store must answer a read within this. Default 2 s. */
  storeTimeoutMs?: number;
  now?: () => number;
}

function ledgerCheck(s: LedgerWriterStats, now: number, recentMs: number): HealthCheck {
  if (s.dead) return { status: 'down', detail: s.lastError ?? 'the ledger writer stopped' };
  if (s.lastError !== null && (s.retrying > 0 || now - s.lastErrorAt < recentMs))
    return {
      status: 'down',
      detail: `cannot commit: ${s.lastError}; ${s.retrying} entries waiting to retry`,
    };
  return { status: 'ok' };
}

async function storeCheck(store: Store, timeoutMs: number): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheck>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const read = store.db
    .selectFrom('ledger_heads')
    .select('stream')
    .limit(1)
    .execute()
    .then(
      (): HealthCheck => ({ status: 'ok' }),
      (e: unknown): HealthCheck => ({ status: 'down', detail: (e as Error).message }),
    );
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `/healthz` and `/readyz` say (issue 14, finding 10): the ledger (can it commit?), the
 * store (does it answer?) and the bus (is it connected?). A durable gateway whose ledger or
 * store is down is `unavailable`; an async one is `degraded` (it answers, and the ledger retries);
 * a disconnected bus degrades (containment and keys wait as pending, detection lags).
 */
export function createHealth(options: HealthOptions): () => Promise<HealthReport> {
  const recentMs = options.recentMs ?? 5_000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  return async () => {
    const ledger = ledgerCheck(options.ledger(), now(), recentMs);
    const store = await storeCheck(options.store, storeTimeoutMs);
    const bus: HealthCheck =
      options.busConnected === undefined || options.busConnected()
        ? { status: 'ok' }
        : { status: 'down', detail: 'NATS is disconnected; the client keeps reconnecting' };
    const recordingDown = ledger.status === 'down' || store.status === 'down';
    const ready = !(options.durable && recordingDown) && !options.ledger().dead;
    const allOk = [ledger, store, bus].every((c) => c.status === 'ok');
    return {
      status: !ready ? 'unavailable' : allOk ? 'ok' : 'degraded',
      ready,
      checks: { ledger, store, bus },
    };
  };
}
