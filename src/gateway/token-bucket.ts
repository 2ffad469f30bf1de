/** Per-key token buckets: `ratePerSecond` refill, `burst` capacity. Time from `now()` in ms. */
export interface TokenBuckets {
  /** Takes `cost` tokens (default 1); returns 0 when allowed, else the seconds until they are. */
  take(key: string, ratePerSecond: number, burst: number, cost?: number): number;
  /**
   * The seconds until `cost` tokens are available (0: now), taking nothing; Infinity when the
   * cost exceeds the capacity, so it can never be paid.
   */
  wait(key: string, ratePerSecond: number, burst: number, cost?: number): number;
  readonly size: number;
}

export function createTokenBuckets(now: () => number = () => performance.now()): TokenBuckets {
  const buckets = new Map<string, { tokens: number; last: number }>();
  const refill = (key: string, ratePerSecond: number, burst: number) => {
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, last: t };
      buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.last) / 1000) * ratePerSecond);
      bucket.last = t;
    }
    return bucket;
  };
  const waitFor = (tokens: number, ratePerSecond: number, burst: number, cost: number) =>
    tokens >= cost ? 0 : cost > burst ? Infinity : (cost - tokens) / ratePerSecond;
  return {
    take(key, ratePerSecond, burst, cost = 1) {
      const bucket = refill(key, ratePerSecond, burst);
      const wait = waitFor(bucket.tokens, ratePerSecond, burst, cost);
      if (wait === 0) bucket.tokens -= cost;
      return wait;
    },
    wait(key, ratePerSecond, burst, cost = 1) {
      return waitFor(refill(key, ratePerSecond, burst).tokens, ratePerSecond, burst, cost);
    },
    get size() {
      return buckets.size;
    },
  };
}
