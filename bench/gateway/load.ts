import { fork, spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPT_EXT } from './child-process.js';

/** One load run against one target. */
export interface LoadSpec {
  url: string; // full URL including the inference path
  body: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second to pace at; omitted for saturation. */
  rate?: number;
}

/** What one load run measured; latencies in microseconds. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the target process spent per request, when it could be read. */
  cpuUs?: number | null;
  /** The part of it spent on the main thread (the event loop that serves requests). */
  mainUs?: number | null;
}

export interface LoadGenerator {
  readonly name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

/** wrk (native, cheap) when installed, else (or when `prefer` says so) autocannon in a child. */
export function pickLoadGenerator(tmpDir: string, prefer?: string): LoadGenerator {
  if (prefer === 'autocannon') return autocannonGenerator();
  const wrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  if (wrk.status === 0 && wrk.stdout.trim()) return wrkGenerator(wrk.stdout.trim(), tmpDir);
  return autocannonGenerator();
}

/**
 * wrk paces a fixed rate with its Lua `delay()` hook: each of the c connections waits
 * c/rate seconds before each request, so the offered rate is just under `rate` (the
 * response time adds to each cycle); the achieved rate is reported.
 */
export function wrkScript(spec: LoadSpec): string {
  if (spec.body.includes("'") || spec.body.includes('\\'))
    throw new Error('the bench body must not contain quotes or backslashes');
  const headers = Object.entries(spec.headers)
    .map(([k, v]) => `wrk.headers["${k}"] = "${v}"`)
    .join('\n');
  const delay =
    spec.rate === undefined
      ? ''
      : `function delay() return ${Math.max(1, Math.round((spec.connections * 1000) / spec.rate))} end`;
  return `wrk.method = "POST"
wrk.body = '${spec.body}'
${headers}
${delay}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration":%d,"p50":%d,"p99":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;
}

function wrkGenerator(binary: string, tmpDir: string): LoadGenerator {
  let n = 0;
  return {
    name: `wrk (${binary}, 1 thread)`,
    async run(spec) {
      const script = join(tmpDir, `load-${n++}.lua`);
      await writeFile(script, wrkScript(spec));
      const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '-s', script, spec.url];
      const out = await capture(binary, args);
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) throw new Error(`wrk printed no result:\n${out}`);
      const r = JSON.parse(line.slice(8)) as Record<string, number>;
      const seconds = r.duration! / 1e6;
      return {
        requests: r.requests!,
        seconds,
        rps: r.requests! / seconds,
        p50: r.p50!,
        p99: r.p99!,
        errors: r.errors! + r.non2xx!,
      };
    },
  };
}

function autocannonGenerator(): LoadGenerator {
  const script = fileURLToPath(new URL(`./autocannon-load${SCRIPT_EXT}`, import.meta.url));
  const loader = SCRIPT_EXT === '.ts' ? ['--import', 'tsx'] : [];
  return {
    name: 'autocannon (child process; latencies have 1 ms resolution)',
    run: (spec) =>
      new Promise((resolve, reject) => {
        const child = fork(script, [], {
          execArgv: loader,
          env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) },
        });
        let result: LoadResult | undefined;
        child.on('message', (m) => (result = m as LoadResult));
        child.once('exit', (code) =>
          result ? resolve(result) : reject(new Error(`autocannon child exited with ${code}`)),
        );
      }),
  };
}

function capture(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${binary} exited with ${code}:\n${out}`)),
    );
  });
}
