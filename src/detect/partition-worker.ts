// Detection at scale (issue 16): detector workers share the partitions of the inference stream.
// A partition is the unit of ownership, state, checkpoint and stream position: its owner holds a
// lease in the coordination bucket, feeds the partition's own detector runner, and checkpoints
// the runner's state together with the stream sequence it covers. A worker that takes a
// partition over restores that checkpoint and reads the stream from the next sequence, so state
// and position never disagree; findings replayed in between get the same deterministic alert id.
import { canonicalJson, type InferenceEvent, InferenceEventSchema, sha256 } from '../core/index.js';
import type { Bus, Coordination, Subscription } from '../bus/index.js';
import type { Finding } from './detector.js';
import type { DetectorRunner, RunnerCheckpoint } from './runner/detector-runner.js';

/** One partition: its key in the bucket and the subject pattern of its events. */
export interface PartitionSpec {
  readonly id: string;
  readonly pattern: string;
  /** Builds a fresh runner for this partition (its detectors, alerts sent to `onAlert`). */
  readonly runner: () => DetectorRunner;
  /**
   * Reads one message into the events it carries (a second stage receives batches); by default
   * one inference event, checked against its schema. Null or [] skips the message.
   */
  readonly decode?: (data: unknown) => readonly InferenceEvent[] | null;
  /**
   * A light partition (the per-model stage over batches) is not counted in a worker's share,
   * so that it does not cost its holder one of the key partitions. Default false.
   */
  readonly light?: boolean;
}

function oneEvent(data: unknown): InferenceEvent[] | null {
  const parsed = InferenceEventSchema.safeParse(data);
  return parsed.success ? [parsed.data as InferenceEvent] : null;
}

export interface PartitionCheckpoint {
  version: 1;
  seq: number;
  runner: RunnerCheckpoint;
}

export interface PartitionWorkerOptions {
  bus: Bus;
  coordination: Coordination;
  workerId: string;
  partitions: readonly PartitionSpec[];
  /** A lease not renewed for this long is free for another worker. Default 3 s. */
  leaseMs?: number;
  /** How often leases are renewed and partitions rebalanced. Default 1 s. */
  tickMs?: number;
  /** Checkpoint a partition after this many events (and at every tick). Default 5,000. */
  checkpointEvents?: number;
  log: (line: string) => void;
}

export interface PartitionWorker {
  /** The partitions this worker owns now. */
  owned(): string[];
  stats(): { events: number; alerts: number };
  close(): Promise<void>;
}

interface Running {
  spec: PartitionSpec;
  runner: DetectorRunner;
  sub: Subscription;
  seq: number;
  sinceCheckpoint: number;
  saving: Promise<void>;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A deterministic alert id: the ULID-like layout of `createId` (10 characters of the finding's
 * time), then 16 characters of the SHA-256 of the finding itself. The same finding, found again
 * after a worker took a partition over, has the same id, so the responder files it once.
 */
export function findingAlertId(finding: Finding): string {
  let time = '';
  let t = Math.max(0, Math.floor(Date.parse(finding.time) || 0));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const digest = sha256(canonicalJson(finding));
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[digest[i]! & 31];
  return `alr_${time}${rand}`;
}

/** Starts a worker; it claims its share of the partitions at once and then every tick. */
export async function startPartitionWorker(
  options: PartitionWorkerOptions,
): Promise<PartitionWorker> {
  const { bus, coordination: co, workerId, log } = options;
  if (!bus.subscribeFrom) throw new Error('partitioned detection needs the NATS bus');
  const leaseMs = options.leaseMs ?? 3_000;
  const tickMs = options.tickMs ?? 1_000;
  const every = options.checkpointEvents ?? 5_000;
  const running = new Map<string, Running>();
  const light = new Set(options.partitions.filter((p) => p.light).map((p) => p.id));
  const totals = { events: 0, alerts: 0 };
  let closed = false;

  const checkpointKey = (id: string) => `ckpt.${id}`;
  const leaseKey = (id: string) => `part.${id}`;

  /** Snapshot now (state and position together), deliver its alerts, then store it. */
  const checkpoint = (r: Running): Promise<void> => {
    const cp: PartitionCheckpoint = { version: 1, seq: r.seq, runner: r.runner.checkpoint() };
    r.sinceCheckpoint = 0;
    r.saving = r.saving
      .then(() => r.runner.flush())
      .then(() => co.put(checkpointKey(r.spec.id), cp))
      .catch((e) => log(`detector checkpoint of ${r.spec.id} failed: ${String(e)}`));
    return r.saving;
  };

  const startPartition = async (spec: PartitionSpec) => {
    const saved = await co.get<PartitionCheckpoint>(checkpointKey(spec.id));
    const runner = spec.runner();
    if (saved?.version === 1) runner.restore(saved.runner);
    const r: Running = {
      spec,
      runner,
      sub: { unsubscribe: async () => {} },
      seq: saved?.version === 1 ? saved.seq : 0,
      sinceCheckpoint: 0,
      saving: Promise.resolve(),
    };
    running.set(spec.id, r);
    r.sub = await bus.subscribeFrom!<unknown>(spec.pattern, r.seq, (m) => {
      if (m.seq !== undefined && m.seq <= r.seq) return; // already in the restored state
      for (const event of (spec.decode ?? oneEvent)(m.data) ?? []) {
        totals.alerts += runner.process(event).length;
        totals.events++;
      }
      if (m.seq !== undefined) r.seq = m.seq;
      if (++r.sinceCheckpoint >= every) void checkpoint(r);
    });
    log(`detect worker ${workerId}: took partition ${spec.id} at sequence ${r.seq}`);
  };

  const stopPartition = async (id: string, keepState: boolean) => {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    await r.sub.unsubscribe();
    if (keepState) await checkpoint(r);
    await r.runner.flush().catch((e) => log(`detector flush of ${id} failed: ${String(e)}`));
    await co.release(leaseKey(id), workerId);
  };

  const tick = async () => {
    await co.acquire(`worker.${workerId}`, workerId, leaseMs);
    for (const id of [...running.keys()]) {
      // Lost the lease (paused too long): another worker owns its state now; ours is stale.
      if (!(await co.acquire(leaseKey(id), workerId, leaseMs))) {
        log(`detect worker ${workerId}: lost partition ${id}`);
        const r = running.get(id)!;
        running.delete(id);
        await r.sub.unsubscribe();
      } else await checkpoint(running.get(id)!);
    }
    const workers = Math.max(1, (await co.leases('worker.')).size);
    const counted = (ids: Iterable<string>) => [...ids].filter((id) => !light.has(id));
    const target = Math.ceil(counted(options.partitions.map((p) => p.id)).length / workers);
    // Rebalance: give extras back (checkpointed), so a new worker can take them.
    for (const id of counted(running.keys()).slice(target)) await stopPartition(id, true);
    const taken = await co.leases('part.');
    for (const spec of options.partitions) {
      if (closed) break;
      if (running.has(spec.id) || taken.has(leaseKey(spec.id))) continue;
      // A worker at its share takes a light partition only when nobody holds it.
      if (!spec.light && counted(running.keys()).length >= target) continue;
      if (await co.acquire(leaseKey(spec.id), workerId, leaseMs))
        // A start that hangs (NATS starved) must not stall the renewals of the others.
        await within(leaseMs, startPartition(spec)).catch(async (e) => {
          log(`detect worker ${workerId}: cannot start ${spec.id}: ${String(e)}`);
          await stopPartition(spec.id, false);
        });
    }
  };

  let ticking: Promise<void> = Promise.resolve();
  const run = () => {
    ticking = ticking
      .then(tick)
      .catch((e) => log(`detect worker ${workerId}: ${(e as Error)?.message ?? String(e)}`));
    return ticking;
  };
  void run(); // the first claim runs in the background: start-up does not wait for NATS
  const timer = setInterval(() => void run(), tickMs);
  timer.unref();
  return {
    owned: () => [...running.keys()].sort(),
    stats: () => ({ ...totals }),
    async close() {
      closed = true;
      clearInterval(timer);
      await ticking;
      for (const id of [...running.keys()]) await stopPartition(id, true);
      await co.release(`worker.${workerId}`, workerId);
    },
  };
}
