import { createConnection } from 'node:net';
import {
  type Bus,
  createMemoryBus,
  createMemoryPolicyChannel,
  createNatsBus,
  createNatsPolicyChannel,
  inferenceSubject,
  type PolicyChannel,
} from '../src/bus/index.js';
import { deleteNatsStream } from '../src/bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../src/bus/nats-policy-channel.js';

const NATS_URL = process.env.AISOC_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface Figures {
  p50: number;
  p99: number;
  perSecond: number;
}

function summarise(samples: number[], totalMs: number): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), perSecond: (samples.length / totalMs) * 1000 };
}

/** One message at a time: publish, wait for the subscriber, repeat. */
async function busRoundTrips(bus: Bus, count: number): Promise<Figures> {
  let resolve: () => void = () => undefined;
  const sub = await bus.subscribe(inferenceSubject('bench'), () => resolve());
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const arrived = new Promise<void>((r) => (resolve = r));
    const t0 = performance.now();
    await bus.publish(inferenceSubject('bench'), { i, features: [0.1, 0.2, 0.3, 0.4] });
    await arrived;
    samples.push(performance.now() - t0);
  }
  const figures = summarise(samples, performance.now() - start);
  await sub.unsubscribe();
  return figures;
}

/** Publishes `count` events with up to `window` in flight, as a busy gateway would. */
async function publishRate(bus: Bus, count: number, window = 256): Promise<number> {
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const sub = await bus.subscribe('gateway.inference.completed.>', () => {
    if (++received === count) done();
  });
  const event = { model: 'bench', features: Array.from({ length: 30 }, (_, i) => i / 30) };
  const start = performance.now();
  for (let i = 0; i < count; i += window) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + window); j++)
      batch.push(bus.publish(inferenceSubject(`m${j % 4}`), { ...event, j }));
    await Promise.all(batch);
  }
  await all;
  const perSecond = (count / (performance.now() - start)) * 1000;
  await sub.unsubscribe();
  return perSecond;
}

/** Publish→watch delivery of a new policy version, one version at a time. */
async function policyRoundTrips(channel: PolicyChannel, count: number): Promise<Figures> {
  let resolve: () => void = () => undefined;
  const sub = await channel.watch(() => resolve());
  const samples: number[] = [];
  const start = performance.now();
  for (let v = 1; v <= count; v++) {
    const arrived = new Promise<void>((r) => (resolve = r));
    const t0 = performance.now();
    await channel.publish({ version: v, actions: [] });
    await arrived;
    samples.push(performance.now() - t0);
  }
  const figures = summarise(samples, performance.now() - start);
  await sub.unsubscribe();
  return figures;
}

const line = (label: string, f: Figures) =>
  `${label.padEnd(34)} p50 ${f.p50.toFixed(3).padStart(7)} ms  p99 ${f.p99.toFixed(3).padStart(7)} ms  ${Math.round(f.perSecond).toString().padStart(7)}/s`;

/** Prints publish→delivery latency of the bus and publish→watch propagation of the policy. */
export async function run(): Promise<void> {
  const count = Number(process.env.AISOC_BENCH_BUS_COUNT ?? 500);
  const memoryBus = createMemoryBus();
  const memBus = await busRoundTrips(memoryBus, count);
  const memRate = await publishRate(memoryBus, count * 20);
  await memoryBus.close();
  const memPolicy = await policyRoundTrips(createMemoryPolicyChannel(), count);
  console.log(`bus (${count} sequential round trips each)`);
  console.log(line('memory bus publish→subscriber', memBus));
  console.log(line('memory policy publish→watch', memPolicy));
  console.log(`memory bus publish→delivery, 256 in flight: ${Math.round(memRate)} events/s`);
  if (!(await reachable(NATS_URL))) {
    console.log(`NATS figures skipped: nothing answers at ${NATS_URL}`);
    return;
  }
  const run = `bench${Date.now().toString(36)}`;
  const stream = `AISOC_BENCH_${run}`;
  const bucket = `aisoc-bench-${run}`;
  try {
    const natsBus = await createNatsBus({ servers: NATS_URL, stream, subjectPrefix: run });
    const nBus = await busRoundTrips(natsBus, count);
    const nRate = await publishRate(natsBus, count * 20);
    await natsBus.close();
    const channel = await createNatsPolicyChannel({ servers: NATS_URL, bucket });
    const nPolicy = await policyRoundTrips(channel, count);
    await channel.close();
    console.log(line('NATS JetStream publish→subscriber', nBus));
    console.log(line('NATS KV policy publish→watch', nPolicy));
    console.log(`NATS bus publish→delivery, 256 in flight: ${Math.round(nRate)} events/s`);
    console.log(
      `ratio NATS/memory p50: bus ${(nBus.p50 / memBus.p50).toFixed(0)}x, policy ${(nPolicy.p50 / memPolicy.p50).toFixed(0)}x`,
    );
  } finally {
    await deleteNatsStream({ servers: NATS_URL, stream });
    await deleteNatsPolicyBucket({ servers: NATS_URL, bucket });
  }
}
