/** Per-key token buckets: `ratePerSecond` refill, `burst` capacity. Time from `now()` in ms. */
export interface TokenBuckets {
  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, ratePerSecond: number, burst: number): number;
  readonly size: number;
}

export function createTokenBuckets(now: () => number = () => performance.now()): TokenBuckets {
  const buckets = new Map<string, { tokens: number; last: number }>();
  return {
    take(key, ratePerSecond, burst) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: burst, last: t };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.last) / 1000) * ratePerSecond);
        bucket.last = t;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (1 - bucket.tokens) / ratePerSecond;
    },
    get size() {
      return buckets.size;
    },
  };
}
