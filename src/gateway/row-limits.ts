import type { TokenBuckets } from './token-bucket.js';

/** A limit on rows: a token bucket where each row costs one token. */
export interface RowLimit {
  /** Names the bucket: one per key, per key and model, per key's daily quota. */
  readonly bucket: string;
  readonly rowsPerSecond: number;
  readonly rowBurst: number;
  /** What to say about it internally (the client is told only that it is limited). */
  readonly describe: string;
  readonly actionId: string | null;
}

/** The first limit the rows do not fit, with the seconds to wait (Infinity: never fits). */
export interface RowRefusal {
  readonly limit: RowLimit;
  readonly wait: number;
}

/**
 * Admits `rows` rows when every limit can pay for them, and then takes them from every
 * bucket; takes nothing when one cannot (all or nothing, so a refused request costs nothing).
 */
export function admitRows(
  buckets: TokenBuckets,
  limits: readonly RowLimit[],
  rows: number,
): RowRefusal | null {
  for (const limit of limits) {
    const wait = buckets.wait(limit.bucket, limit.rowsPerSecond, limit.rowBurst, rows);
    if (wait > 0) return { limit, wait };
  }
  for (const limit of limits) buckets.take(limit.bucket, limit.rowsPerSecond, limit.rowBurst, rows);
  return null;
}
