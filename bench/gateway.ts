/**
 * Gateway benchmark (issue 2, item 8): the aisoc gateway against the upstream alone, a bare
 * Node reverse proxy and nginx, each in its own process, load from a third (wrk, or autocannon).
 * Targets are interleaved round by round so drift in machine load hits all of them alike, and
 * medians are reported. AISOC_BENCH_QUICK=1 for a ~30 s smoke run.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/gateway/index.js';
import { startChild, type ChildHandle } from './gateway/child-process.js';
import { summariseCpuProfile, type CpuProfile } from './gateway/cpu-profile.js';
import { INFER_PATH, REQUEST_BODY } from './gateway/fixture.js';
import {
  pickLoadGenerator,
  type LoadGenerator,
  type LoadResult,
  type LoadSpec,
} from './gateway/load.js';
import { findNginx, startNginx } from './gateway/nginx.js';
import { cpuSecondsOf, monotonicMicros } from './gateway/proc-cpu.js';
import { formatTable, summarise, verdicts } from './gateway/report.js';

interface Settings {
  rounds: number;
  seconds: number;
  warmSeconds: number;
  connections: number;
  rate: number;
  rateConnections: number;
  profileSeconds: number;
  profile: readonly string[];
  /** Which of bare, nginx, gateway-async, gateway-durable to measure (direct always is). */
  targets: readonly string[];
}

const ALL_TARGETS = ['bare', 'nginx', 'gateway-async', 'gateway-durable'];

interface Target {
  name: string;
  handle: ChildHandle;
  saturation: LoadResult[];
  fixed: LoadResult[];
}

export function benchSettings(env: NodeJS.ProcessEnv): Settings {
  const quick = env.AISOC_BENCH_QUICK === '1';
  const list = (name: string, fallback: readonly string[]) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    return value === 'none' ? [] : value.split(',').map((v) => v.trim());
  };
  const num = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    rounds: num('AISOC_BENCH_ROUNDS', quick ? 1 : 3),
    seconds: num('AISOC_BENCH_SECONDS', quick ? 2 : 4),
    warmSeconds: 1,
    connections: 32,
    rate: 1000,
    rateConnections: 20,
    profileSeconds: quick ? 2 : 4,
    profile: list(
      'AISOC_BENCH_PROFILE',
      quick ? ['gateway-async'] : ['gateway-async', 'gateway-durable', 'bare'],
    ),
    targets: list('AISOC_BENCH_TARGETS', ALL_TARGETS),
  };
}

export async function run(): Promise<void> {
  const settings = benchSettings(process.env);
  const tmp = await mkdtemp(join(tmpdir(), 'aisoc-bench-gateway-'));
  const key = generateApiKey();
  const load = pickLoadGenerator(tmp, process.env.AISOC_BENCH_LOADGEN);
  const spec = (url: string): LoadSpec => ({
    url: url + INFER_PATH,
    body: REQUEST_BODY,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key.secret}` },
    connections: settings.connections,
    seconds: settings.seconds,
  });
  console.log('# gateway: throughput and added latency over the model server');
  console.log(
    `load generator: ${load.name}; ${settings.rounds} interleaved round(s); saturation ${settings.connections} connections x ${settings.seconds} s; fixed rate ${settings.rate} req/s over ${settings.rateConnections} connections x ${settings.seconds} s; figures are medians`,
  );
  const handles: ChildHandle[] = [];
  try {
    const upstream = await startChild('upstream-server', {});
    handles.push(upstream);
    const targets = await startTargets(upstream.url, tmp, key.hash, handles, settings.targets);
    await measure(targets, settings, load, spec);
    const reports = await stopGateways(targets);
    const rows = summarise(targets);
    console.log(`\n${formatTable(rows)}\n`);
    for (const line of verdicts(rows)) console.log(line);
    for (const [name, report] of reports) printLedger(name, report);
    await profileAll(upstream.url, tmp, key.hash, settings, load, spec);
  } finally {
    for (const h of handles) h.kill();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function startTargets(
  upstream: string,
  tmp: string,
  keyHash: string,
  handles: ChildHandle[],
  wanted: readonly string[],
): Promise<Target[]> {
  const add = (name: string, handle: ChildHandle): Target => {
    handles.push(handle);
    return { name, handle, saturation: [], fixed: [] };
  };
  const targets: Target[] = [
    { name: 'direct upstream', handle: handles[0]!, saturation: [], fixed: [] },
  ];
  if (wanted.includes('bare')) {
    const bare = await startChild('bare-proxy', { BENCH_UPSTREAM: upstream });
    targets.push(add('bare node proxy', bare));
  }
  if (wanted.includes('nginx')) {
    const nginx = findNginx();
    const started = nginx
      ? await startNginx(nginx, join(tmp, 'nginx'), upstream)
      : 'nginx is not installed (apt-get install nginx-light)';
    if (typeof started === 'string') console.log(`nginx: skipped (${started})`);
    else targets.push(add('nginx', started));
  }
  for (const mode of ['async', 'durable']) {
    if (!wanted.includes(`gateway-${mode}`)) continue;
    targets.push(add(`gateway ${mode}`, await startGateway(mode, upstream, tmp, keyHash)));
  }
  return targets;
}

function startGateway(
  mode: string,
  upstream: string,
  tmp: string,
  keyHash: string,
  execArgv: string[] = [],
): Promise<ChildHandle> {
  const dataDir = join(tmp, `gateway-${mode}-${execArgv.length ? 'profiled' : 'measured'}`);
  return startChild(
    'gateway-server',
    {
      BENCH_UPSTREAM: upstream,
      BENCH_MODE: mode,
      BENCH_DATA_DIR: dataDir,
      BENCH_KEY_HASH: keyHash,
    },
    { execArgv },
  );
}

async function measure(
  targets: Target[],
  settings: Settings,
  load: LoadGenerator,
  spec: (url: string) => LoadSpec,
): Promise<void> {
  for (const t of targets) await load.run({ ...spec(t.handle.url), seconds: settings.warmSeconds });
  for (let round = 0; round < settings.rounds; round++) {
    for (const t of targets)
      t.saturation.push(await withCpu(t.handle.pid, load.run(spec(t.handle.url))));
    for (const t of targets) {
      const fixed = {
        ...spec(t.handle.url),
        connections: settings.rateConnections,
        rate: settings.rate,
      };
      t.fixed.push(await load.run(fixed));
    }
    const progress = targets.map((t) => `${t.name} ${t.saturation.at(-1)!.rps.toFixed(0)}`);
    console.log(`round ${round + 1}/${settings.rounds}: req/s ${progress.join(', ')}`);
  }
}

/** Adds the target process's CPU time per request to a load run's result. */
async function withCpu(pid: number, running: Promise<LoadResult>): Promise<LoadResult> {
  const before = cpuSecondsOf(pid);
  const result = await running;
  const after = cpuSecondsOf(pid);
  const per = (seconds: number) => (seconds * 1e6) / result.requests;
  const known = before !== null && after !== null && result.requests > 0;
  const cpuUs = known ? per(after.process - before.process) : null;
  const mainUs = known ? per(after.mainThread - before.mainThread) : null;
  return { ...result, cpuUs, mainUs };
}

async function stopGateways(targets: Target[]): Promise<Map<string, Record<string, unknown>>> {
  const reports = new Map<string, Record<string, unknown>>();
  for (const t of targets) {
    if (t.name.startsWith('gateway')) reports.set(t.name, await t.handle.stop());
  }
  return reports;
}

function printLedger(name: string, report: Record<string, unknown>): void {
  if (report.error) {
    console.log(`${name}: shutdown failed: ${String(report.error)}`);
    return;
  }
  const c = (report.counters ?? {}) as Record<string, number>;
  const v = report.verified as { ok: boolean; entries: number; firstBad?: unknown } | null;
  const ms = Number(report.verifyMs);
  console.log(
    `${name}: ledger ${String(report.ledger)}: queued ${c.queued}, written ${c.written}, dropped ${c.dropped}, rejected ${c.rejected}, failed ${c.failed}, batches ${c.batches}`,
  );
  if (v) {
    const rate = v.entries / (ms / 1000);
    console.log(
      `${name}: ledger verify ${v.ok ? 'ok' : `FAILED at ${JSON.stringify(v.firstBad)}`}: ${v.entries} entries in ${ms.toFixed(0)} ms (${rate.toFixed(0)} entries/s)`,
    );
  }
}

async function profileAll(
  upstream: string,
  tmp: string,
  keyHash: string,
  settings: Settings,
  load: LoadGenerator,
  spec: (url: string) => LoadSpec,
): Promise<void> {
  for (const which of settings.profile) {
    const dir = join(tmp, `profile-${which}`);
    const execArgv = ['--cpu-prof', '--cpu-prof-dir', dir];
    const handle =
      which === 'bare'
        ? await startChild('bare-proxy', { BENCH_UPSTREAM: upstream }, { execArgv })
        : await startGateway(which.replace('gateway-', ''), upstream, tmp, keyHash, execArgv);
    try {
      const from = monotonicMicros();
      const result = await load.run({ ...spec(handle.url), seconds: settings.profileSeconds });
      const to = monotonicMicros();
      await handle.stop();
      const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
      const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
      printProfile(which, result, summariseCpuProfile(profile, 15, { from, to }));
    } finally {
      handle.kill();
    }
  }
}

function printProfile(
  which: string,
  result: LoadResult,
  summary: ReturnType<typeof summariseCpuProfile>,
): void {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  console.log(
    `\n## profile: ${which} under saturation (${result.rps.toFixed(0)} req/s while profiled; busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms)`,
  );
  console.log('self time by area:');
  for (const a of summary.byArea.filter((a) => a.share >= 0.01))
    console.log(`  ${pct(a.share)}  ${a.name}`);
  console.log('top self-time functions:');
  for (const f of summary.top) console.log(`  ${pct(f.share)}  ${f.name}`);
}
