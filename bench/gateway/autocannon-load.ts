/** Load generator fallback when wrk is absent: autocannon's programmatic API in its own process. */
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load.js';

const spec = JSON.parse(process.env.BENCH_LOAD ?? '{}') as LoadSpec;
const result = await autocannon({
  url: spec.url,
  method: 'POST',
  body: spec.body,
  headers: spec.headers,
  connections: spec.connections,
  duration: spec.seconds,
  ...(spec.rate === undefined ? {} : { overallRate: spec.rate }),
});
const answer: LoadResult = {
  requests: result.requests.total,
  seconds: result.duration,
  rps: result.requests.total / result.duration,
  p50: result.latency.p50 * 1000,
  p99: result.latency.p99 * 1000,
  errors: result.errors + result.timeouts + result.non2xx,
};
process.send?.(answer, undefined, {}, () => process.exit(0));
