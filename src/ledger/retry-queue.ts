/** What the writer could not record: `failed` entries are retried (or refused, if durable), `dropped` ones are lost. */
export interface LedgerLoss {
  readonly kind: 'failed' | 'dropped';
  /** The ledger stream, or `*` when a dead worker took entries of every stream. */
  readonly stream: string;
  readonly count: number;
  readonly reason: string;
}

/** Async entries of a batch that did not commit, and how many attempts they have had. */
export interface RetryBatch {
  readonly stream: string;
  readonly records: string[];
  readonly attempts: number;
}

const BASE_MS = 50;
const MAX_MS = 5_000;

/** Exponential backoff, 50 ms doubling up to 5 s, with up to 20 % jitter so writers do not march in step. */
export function retryDelayMs(attempts: number, random = Math.random): number {
  const base = Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, Math.min(attempts - 1, 16)));
  return Math.round(base * (1 + 0.2 * random()));
}

/**
 * Holds failed batches and posts them again after a backoff that grows with the failures in a
 * row, until a commit succeeds. One timer for all batches: a database outage is one outage.
 */
export class RetryQueue {
  private batches: RetryBatch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private streak = 0;

  constructor(private readonly repost: (batch: RetryBatch) => void) {}

  add(batch: RetryBatch): void {
    this.batches.push(batch);
    if (this.timer) return;
    this.streak += 1;
    this.timer = setTimeout(() => this.release(), retryDelayMs(this.streak));
  }

  /** A commit went through: the database is back, so the next failure starts a new streak. */
  succeeded(): void {
    this.streak = 0;
  }

  /** Posts every held batch now. */
  release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.batches;
    this.batches = [];
    for (const batch of batches) this.repost(batch);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.batches = [];
  }
}
