/**
 * One detector worker of the scale-detect bench, run as its own process so that two workers
 * really use two cores. It opens the bus, says `ready`, and on `go` (stdin) starts the same
 * partitioned detection a `--role detect` process runs. Every 50 ms it prints one JSON line:
 * events processed, partitions owned and its CPU time. `stop` closes it.
 */
import { createInterface } from 'node:readline';
import { startPartitionedDetection } from '../../src/app/partitioned-detection.js';
import { demoModels } from '../../src/app/demo.js';
import { createNatsBus } from '../../src/bus/index.js';
import { parseConfig } from '../../src/config/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`scale-detect worker: ${name} is not set`);
  return value;
};
const servers = env('BENCH_NATS_URL');
const workerId = env('BENCH_WORKER_ID');
const models = parseConfig({ models: demoModels() }).models;
const bus = await createNatsBus({
  servers,
  stream: env('BENCH_STREAM'),
  subjectPrefix: env('BENCH_PREFIX'),
  storage: 'memory',
  name: `bench-${workerId}`,
});
let stop: () => Promise<void> = async () => {};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'go') void go();
  if (line === 'stop')
    void stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
const cpu = process.cpuUsage();
// Start-up CPU (module loading) is not detection work: the bench subtracts this figure.
process.stdout.write(
  `${JSON.stringify({ events: 0, owned: [], cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
process.stdout.write('ready\n');

async function go() {
  const detection = await startPartitionedDetection({
    bus,
    servers: [servers],
    bucket: env('BENCH_BUCKET'),
    workerId,
    models,
    partitions: Number(env('BENCH_PARTITIONS')),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // Loading the detectors' baselines is start-up, not detection work: the bench counts from here.
  const started = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({ events: 0, owned: [], cpuMs: (started.user + started.system) / 1000, started: true })}\n`,
  );
  const report = () => {
    const cpu = process.cpuUsage();
    const line = {
      events: detection.worker.stats().events,
      owned: detection.worker.owned(),
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(report, 50);
  stop = async () => {
    clearInterval(timer);
    report();
    await detection.close();
    await bus.close();
  };
}
