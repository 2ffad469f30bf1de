/**
 * Unauthenticated floods (issue 14, finding 11): a legitimate client's throughput alone, then
 * while a second load generator sends requests with an unknown key from the same machine.
 * aisoc runs as `aisoc serve` would (async mode, SQLite) in its own process. The gateway limits
 * the flooding source and writes one aggregate per source and window instead of one ledger row
 * per refusal; the figures show what the legitimate client keeps and how many ledger entries
 * the flood cost. AISOC_BENCH_QUICK=1 for a short run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/gateway/index.js';
import { benchSettings } from './gateway.js';
import { startChild, type ChildHandle } from './gateway/child-process.js';
import { INFER_PATH, REQUEST_BODY } from './gateway/fixture.js';
import { pickLoadGenerator, type LoadSpec } from './gateway/load.js';

export async function run(): Promise<void> {
  const settings = benchSettings(process.env);
  const tmp = await mkdtemp(join(tmpdir(), 'aisoc-bench-flood-'));
  const key = generateApiKey();
  const load = pickLoadGenerator(tmp, process.env.AISOC_BENCH_LOADGEN);
  const spec = (url: string, secret: string, connections: number): LoadSpec => ({
    url: url + INFER_PATH,
    body: REQUEST_BODY,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    connections,
    seconds: settings.seconds,
  });
  console.log(
    '# unauthenticated flood: a legitimate client alone, then beside a flood of bad keys',
  );
  const handles: ChildHandle[] = [];
  try {
    const upstream = await startChild('upstream-server', {});
    handles.push(upstream);
    const gateway = await startChild('gateway-server', {
      BENCH_UPSTREAM: upstream.url,
      BENCH_MODE: 'async',
      BENCH_DATA_DIR: join(tmp, 'aisoc'),
      BENCH_KEY_HASH: key.hash,
    });
    handles.push(gateway);
    const legit = () => load.run(spec(gateway.url, key.secret, 8));
    await legit(); // warm-up
    const alone = await legit();
    const [beside, flood] = await Promise.all([
      legit(),
      load.run(spec(gateway.url, 'aisoc_not_a_key_0000000000000000000000000000000', 32)),
    ]);
    handles.pop();
    const report = await gateway.stop();
    const counters = report.counters as { written: number; dropped: number };
    console.log(
      `load generator: ${load.name}; ${settings.seconds} s per run; legitimate 8 connections, flood 32`,
    );
    console.log(
      `legitimate alone:        ${alone.rps.toFixed(0)} req/s (p99 ${(alone.p99 / 1000).toFixed(1)} ms)`,
    );
    console.log(
      `legitimate under flood:  ${beside.rps.toFixed(0)} req/s (p99 ${(beside.p99 / 1000).toFixed(1)} ms)`,
    );
    console.log(`flood:                   ${flood.rps.toFixed(0)} req/s refused (401, then 429)`);
    console.log(
      `ledger entries written in all: ${counters.written} for ${alone.requests + beside.requests} legitimate and ${flood.requests} flood requests (dropped ${counters.dropped})`,
    );
  } finally {
    for (const h of handles) h.kill();
    await rm(tmp, { recursive: true, force: true });
  }
}
