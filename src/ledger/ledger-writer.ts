import type { Worker } from 'node:worker_threads';
import type { AppError } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { FIELD_SEPARATOR, RECORD_SEPARATOR } from './ledger-committer.js';
import { RetryQueue, type LedgerLoss } from './retry-queue.js';
import { leafTemplate } from './leaf-template.js';
import { fromWire, startLedgerWorker } from './start-worker.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** How long after a failed batch durable appends are refused without trying. */
const FAIL_FAST_MS = 1_000;
import {
  resolveWriterOptions,
  type LedgerWriterOptions,
  type ResolvedWriterOptions,
} from './writer-options.js';

/** Counters of a writer; `queued` entries are the ones a crash would lose in async mode. */
export interface LedgerWriterStats {
  queued: number;
  written: number;
  dropped: number;
  rejected: number;
  /** Entries in commit attempts that failed (database error); async ones are retried. */
  failed: number;
  /** Async entries whose batch failed, waiting for their next attempt (part of `queued`). */
  retrying: number;
  batches: number;
  lastCommitMs: number;
  /** The last commit failure (cleared by the next commit that goes through), for health checks. */
  lastError: string | null;
  /** When `lastError` happened (epoch ms; 0 when none). */
  lastErrorAt: number;
  /** The worker is gone: nothing more can be written. */
  dead: boolean;
}

/** Appends entries to ledger streams from the request thread; the work runs in a worker. */
export interface LedgerWriter {
  /** Queues an entry (async mode: lost only if the process dies before its batch commits). */
  append(stream: string, entry: object): void;
  /** Resolves once the batch holding the entry has committed (group commit); seq is null if dropped. */
  appendDurable(stream: string, entry: object): Promise<{ seq: number | null }>;
  /** Commits everything appended so far and signs a checkpoint for it. */
  flush(): Promise<void>;
  stats(): LedgerWriterStats;
  /** Flushes, checkpoints and stops the worker; appends after close throw LEDGER_WRITER_CLOSED. */
  close(): Promise<void>;
}

interface Waiter {
  readonly index: number;
  resolve(value: { seq: number | null }): void;
  reject(error: unknown): void;
}

/** Entries of one stream not yet posted, and the durable appends among them. */
interface StreamBuffer {
  records: string[];
  waiters: Waiter[];
}

interface Pending {
  readonly count: number;
  readonly waiters: Waiter[];
  readonly stream: string;
  readonly records: string[];
  /** Failed attempts so far (0 for a first post). */
  readonly attempts: number;
}

/**
 * Starts a ledger writer: a worker thread that opens its own store connection, assigns
 * sequence numbers, hashes leaves, keeps the Merkle frontier and signs checkpoints. Resolves
 * once the worker has opened the store; rejects with the store's error otherwise.
 */
export async function createLedgerWriter(options: LedgerWriterOptions): Promise<LedgerWriter> {
  const o = resolveWriterOptions(options);
  const worker = await startLedgerWorker({
    store: o.store,
    origin: o.origin,
    keyName: o.key.name,
    privateKey: o.key.privateKey,
    checkpointEvery: o.checkpointEvery,
    streams: [...o.streams],
  });
  return new WorkerLedgerWriter(worker, o, options.onLoss);
}

/** The request-thread half: canonical JSON, per-stream buffers, counters, promises. */
class WorkerLedgerWriter implements LedgerWriter {
  private readonly counters: LedgerWriterStats = {
    queued: 0,
    written: 0,
    dropped: 0,
    rejected: 0,
    failed: 0,
    retrying: 0,
    batches: 0,
    lastCommitMs: 0,
    lastError: null,
    lastErrorAt: 0,
    dead: false,
  };
  private readonly buffers = new Map<string, StreamBuffer>();
  private readonly inflight = new Map<number, Pending>();
  private readonly flushes = new Map<number, { resolve(): void; reject(e: unknown): void }>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;
  private dead: AppError | undefined;
  private onClosed: (() => void) | undefined;
  private readonly retries: RetryQueue;

  constructor(
    private readonly worker: Worker,
    private readonly o: ResolvedWriterOptions,
    private readonly onLoss: (loss: LedgerLoss) => void = () => {},
  ) {
    this.retries = new RetryQueue((batch) => {
      this.counters.retrying -= batch.records.length;
      this.post(batch.stream, batch.records, [], batch.attempts);
    });
    for (const stream of o.streams) this.buffers.set(stream, { records: [], waiters: [] });
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (e) =>
      this.die(
        ledgerError(LedgerErrorCodes.WRITER_CLOSED, `ledger worker failed: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    worker.on('exit', (code) =>
      this.die(
        ledgerError(
          LedgerErrorCodes.WRITER_CLOSED,
          this.closing ? 'the ledger writer is closed' : `ledger worker exited (${code})`,
        ),
      ),
    );
  }

  append(stream: string, entry: object): void {
    if (!this.admit(stream)) return;
    const buffer = this.enqueue(stream, entry);
    if (buffer.records.length >= this.o.batchSize) this.postStream(stream);
    else if (!this.timer && !this.immediate) {
      this.timer = setTimeout(() => this.postAll(), this.o.flushIntervalMs).unref();
    }
  }

  appendDurable(stream: string, entry: object): Promise<{ seq: number | null }> {
    try {
      this.refuseWhileFailing();
      if (!this.admit(stream)) return Promise.resolve({ seq: null });
      const buffer = this.enqueue(stream, entry);
      return new Promise((resolve, reject) => {
        buffer.waiters.push({ index: buffer.records.length - 1, resolve, reject });
        // Post on the next turn: every durable append of this turn shares one commit.
        if (buffer.records.length >= this.o.batchSize) this.postStream(stream);
        else this.immediate ??= setImmediate(() => this.postAll());
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  flush(): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    this.postAll();
    return this.barrier();
  }

  stats(): LedgerWriterStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.dead) return;
      this.retries.release(); // a last attempt; what fails now is dropped
      this.postAll();
      const flushed = this.barrier().catch(() => undefined);
      const closed = new Promise<void>((resolve) => (this.onClosed = resolve));
      this.send({ t: 'close' });
      await flushed;
      await closed;
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Resolves once the worker has committed everything posted before it and checkpointed. */
  private barrier(): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.flushes.set(id, { resolve, reject });
      this.send({ t: 'flush', id });
    });
  }

  /**
   * Right after a batch failed, and with nothing committed since, a durable append is refused
   * at once instead of queueing behind batches that wait on the same lock or outage: its request
   * gets 503 promptly. After FAIL_FAST_MS one append tries again, probing the store.
   */
  private refuseWhileFailing(): void {
    const { lastError, lastErrorAt } = this.counters;
    if (lastError === null || this.dead || Date.now() - lastErrorAt >= FAIL_FAST_MS) return;
    this.counters.rejected += 1;
    throw ledgerError(
      LedgerErrorCodes.WRITE_FAILED,
      `ledger batch not written: the store failed ${Date.now() - lastErrorAt} ms ago (${lastError})`,
      { details: { cause: 'fail-fast' } },
    );
  }

  private admit(stream: string): boolean {
    if (this.dead) throw this.dead;
    if (this.closing)
      throw ledgerError(LedgerErrorCodes.WRITER_CLOSED, 'the ledger writer is closed');
    if (!this.o.streams.has(stream)) {
      const known = [...this.o.streams].join(', ');
      throw ledgerError(
        LedgerErrorCodes.STREAM_UNKNOWN,
        `stream ${JSON.stringify(stream)} is not one of ${known}`,
      );
    }
    if (this.counters.queued < this.o.maxQueue) return true;
    if (this.o.overflow === 'drop') {
      this.counters.dropped += 1;
      this.onLoss({ kind: 'dropped', stream, count: 1, reason: 'the ledger queue is full' });
      return false;
    }
    this.counters.rejected += 1;
    throw ledgerError(
      LedgerErrorCodes.BACKPRESSURE,
      `ledger writer queue is full (${this.o.maxQueue} entries); the entry was refused`,
    );
  }

  private enqueue(stream: string, entry: object): StreamBuffer {
    const t = leafTemplate(stream, entry, this.o.clock.now());
    const buffer = this.buffers.get(stream)!;
    buffer.records.push(t.time + FIELD_SEPARATOR + t.head + FIELD_SEPARATOR + t.tail);
    this.counters.queued += 1;
    return buffer;
  }

  private postStream(stream: string): void {
    const buffer = this.buffers.get(stream)!;
    if (buffer.records.length === 0) return;
    this.buffers.set(stream, { records: [], waiters: [] });
    this.post(stream, buffer.records, buffer.waiters, 0);
  }

  private post(stream: string, records: string[], waiters: Waiter[], attempts: number): void {
    const id = this.nextId++;
    this.inflight.set(id, { count: records.length, waiters, stream, records, attempts });
    this.send({ t: 'append', id, stream, records: records.join(RECORD_SEPARATOR) });
  }

  private postAll(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    for (const stream of this.buffers.keys()) this.postStream(stream);
  }

  private receive(m: FromWorker): void {
    if (m.t === 'committed') this.committed(m.ids, m.firstSeqs, m.ms);
    else if (m.t === 'failed') {
      const error = ledgerError(
        LedgerErrorCodes.WRITE_FAILED,
        `ledger batch not written: ${m.error.message}`,
        {
          details: { cause: m.error.code },
        },
      );
      this.settle(m.ids, (p) => this.failed(p, error));
    } else if (m.t === 'flushed') {
      const f = this.flushes.get(m.id);
      this.flushes.delete(m.id);
      if (m.error) f?.reject(fromWire(m.error));
      else f?.resolve();
    } else if (m.t === 'closed') this.onClosed?.();
  }

  private committed(ids: number[], firstSeqs: number[], ms: number): void {
    this.counters.batches += 1;
    this.counters.lastCommitMs = ms;
    this.counters.lastError = null;
    this.retries.succeeded();
    this.settle(ids, (p, i) => {
      this.counters.queued -= p.count;
      this.counters.written += p.count;
      for (const w of p.waiters) w.resolve({ seq: firstSeqs[i]! + w.index });
    });
  }

  private settle(ids: number[], each: (p: Pending, i: number) => void): void {
    ids.forEach((id, i) => {
      const pending = this.inflight.get(id);
      if (!pending) return;
      this.inflight.delete(id);
      each(pending, i);
    });
  }

  /**
   * A batch did not commit: its durable entries fail (their requests are refused), its async
   * entries wait for another attempt with backoff. They stay counted in `queued`, so the queue
   * bound (and `overflow`) still limits memory. Closing, they are dropped and reported.
   */
  private failed(p: Pending, error: AppError): void {
    this.counters.failed += p.count;
    this.counters.lastError = error.message;
    this.counters.lastErrorAt = Date.now();
    this.onLoss({ kind: 'failed', stream: p.stream, count: p.count, reason: error.message });
    p.waiters.forEach((w) => w.reject(error));
    const durable = new Set(p.waiters.map((w) => w.index));
    const rest = durable.size === 0 ? p.records : p.records.filter((_, i) => !durable.has(i));
    this.counters.queued -= durable.size;
    if (rest.length === 0) return;
    if (this.closing || this.dead) {
      this.lose(p.stream, rest.length, error.message);
      return;
    }
    this.counters.retrying += rest.length;
    this.retries.add({ stream: p.stream, records: rest, attempts: p.attempts + 1 });
  }

  private lose(stream: string, count: number, reason: string): void {
    this.counters.queued -= count;
    this.counters.dropped += count;
    this.onLoss({ kind: 'dropped', stream, count, reason });
  }

  /** The worker is gone: every waiting promise rejects, every held entry counts as failed. */
  private die(error: AppError): void {
    this.dead ??= error;
    this.counters.dead = true;
    this.counters.lastError = this.dead.message;
    this.counters.lastErrorAt = Date.now();
    for (const pending of this.inflight.values())
      pending.waiters.forEach((w) => w.reject(this.dead));
    for (const buffer of this.buffers.values()) buffer.waiters.forEach((w) => w.reject(this.dead));
    for (const f of this.flushes.values()) f.reject(this.dead);
    this.retries.clear();
    this.counters.retrying = 0;
    if (this.counters.queued > 0) this.lose('*', this.counters.queued, this.dead.message);
    this.counters.queued = 0;
    this.inflight.clear();
    this.flushes.clear();
    for (const stream of this.buffers.keys())
      this.buffers.set(stream, { records: [], waiters: [] });
  }
}
