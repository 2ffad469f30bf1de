import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import { FIELD_SEPARATOR, RECORD_SEPARATOR } from './ledger-committer.js';
import { leafTemplate } from './leaf-template.js';
import type { FromWorker, ToWorker, WireError, WorkerData } from './worker-protocol.js';
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
  /** Entries whose batch failed to commit (database error) or that a dead worker held. */
  failed: number;
  batches: number;
  lastCommitMs: number;
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

interface Pending {
  readonly count: number;
  readonly waiters: Waiter[];
}

function fromWire(error: WireError): AppError {
  return new AppError(error.code, error.message);
}

function startWorker(data: WorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return new Worker(new URL('./ledger-worker.js', here), { workerData: data });
  // Running from TypeScript sources (tests, tsx): a worker does not inherit the loader, so
  // it loads its entry through tsx's tsImport (tsx is a dev dependency; built code is JS).
  // require.resolve yields the CommonJS build; its ESM twin sits beside it.
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./ledger-worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true, workerData: data });
}

/**
 * Starts a ledger writer: a worker thread that opens its own store connection, assigns
 * sequence numbers, hashes leaves, keeps the Merkle frontier and signs checkpoints. Resolves
 * once the worker has opened the store; rejects with the store's error otherwise.
 */
export async function createLedgerWriter(options: LedgerWriterOptions): Promise<LedgerWriter> {
  const o = resolveWriterOptions(options);
  const worker = startWorker({
    store: o.store,
    origin: o.origin,
    keyName: o.key.name,
    privateKey: o.key.privateKey,
    checkpointEvery: o.checkpointEvery,
  });
  // Start-up listeners are removed one by one: Worker keeps internal listeners of its own.
  let listeners:
    { message(m: FromWorker): void; error(e: Error): void; exit(code: number): void } | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      listeners = {
        message: (m) =>
          m.t === 'ready' ? resolve() : m.t === 'fatal' ? reject(fromWire(m.error)) : undefined,
        error: reject,
        exit: (code) =>
          reject(
            ledgerError(
              LedgerErrorCodes.WRITER_CLOSED,
              `ledger worker exited (${code}) while starting`,
            ),
          ),
      };
      worker
        .on('message', listeners.message)
        .on('error', listeners.error)
        .on('exit', listeners.exit);
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  } finally {
    worker
      .off('message', listeners!.message)
      .off('error', listeners!.error)
      .off('exit', listeners!.exit);
  }
  return writerOn(worker, o);
}

function writerOn(worker: Worker, o: ResolvedWriterOptions): LedgerWriter {
  const stats: LedgerWriterStats = {
    queued: 0,
    written: 0,
    dropped: 0,
    rejected: 0,
    failed: 0,
    batches: 0,
    lastCommitMs: 0,
  };
  const buffers = new Map<string, { records: string[]; waiters: Waiter[] }>();
  for (const stream of o.streams) buffers.set(stream, { records: [], waiters: [] });
  const inflight = new Map<number, Pending>();
  const flushes = new Map<number, { resolve(): void; reject(e: unknown): void }>();
  let nextId = 1;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closing: Promise<void> | undefined;
  let dead: AppError | undefined;
  let onClosed: (() => void) | undefined;

  const send = (message: ToWorker) => worker.postMessage(message);

  function postStream(stream: string): void {
    const buffer = buffers.get(stream)!;
    if (buffer.records.length === 0) return;
    const id = nextId++;
    inflight.set(id, { count: buffer.records.length, waiters: buffer.waiters });
    send({ t: 'append', id, stream, records: buffer.records.join(RECORD_SEPARATOR) });
    buffer.records = [];
    buffer.waiters = [];
  }

  function postAll(): void {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = undefined;
    for (const stream of buffers.keys()) postStream(stream);
  }

  function settle(ids: number[], each: (p: Pending, i: number) => void): void {
    ids.forEach((id, i) => {
      const pending = inflight.get(id);
      if (!pending) return;
      inflight.delete(id);
      stats.queued -= pending.count;
      each(pending, i);
    });
  }

  function die(error: AppError): void {
    dead ??= error;
    for (const pending of inflight.values()) pending.waiters.forEach((w) => w.reject(dead));
    for (const buffer of buffers.values()) buffer.waiters.forEach((w) => w.reject(dead));
    for (const f of flushes.values()) f.reject(dead);
    stats.failed += stats.queued;
    stats.queued = 0;
    inflight.clear();
    flushes.clear();
    for (const buffer of buffers.values()) buffer.records = buffer.waiters = [];
  }

  worker.on('message', (m: FromWorker) => {
    if (m.t === 'committed') {
      stats.batches += 1;
      stats.lastCommitMs = m.ms;
      settle(m.ids, (p, i) => {
        stats.written += p.count;
        for (const w of p.waiters) w.resolve({ seq: m.firstSeqs[i]! + w.index });
      });
    } else if (m.t === 'failed') {
      const error = ledgerError(
        LedgerErrorCodes.WRITE_FAILED,
        `ledger batch not written: ${m.error.message}`,
        { details: { cause: m.error.code } },
      );
      settle(m.ids, (p) => {
        stats.failed += p.count;
        p.waiters.forEach((w) => w.reject(error));
      });
    } else if (m.t === 'flushed') {
      const f = flushes.get(m.id);
      flushes.delete(m.id);
      if (m.error) f?.reject(fromWire(m.error));
      else f?.resolve();
    } else if (m.t === 'closed') {
      onClosed?.();
    }
  });
  worker.on('error', (e) =>
    die(
      ledgerError(LedgerErrorCodes.WRITER_CLOSED, `ledger worker failed: ${e.message}`, {
        cause: e,
      }),
    ),
  );
  worker.on('exit', (code) =>
    die(
      ledgerError(
        LedgerErrorCodes.WRITER_CLOSED,
        closing ? 'the ledger writer is closed' : `ledger worker exited (${code})`,
      ),
    ),
  );

  function admit(stream: string): boolean {
    if (dead) throw dead;
    if (closing) throw ledgerError(LedgerErrorCodes.WRITER_CLOSED, 'the ledger writer is closed');
    if (!o.streams.has(stream))
      throw ledgerError(
        LedgerErrorCodes.STREAM_UNKNOWN,
        `stream ${JSON.stringify(stream)} is not one of ${[...o.streams].join(', ')}`,
      );
    if (stats.queued < o.maxQueue) return true;
    if (o.overflow === 'drop') {
      stats.dropped += 1;
      return false;
    }
    stats.rejected += 1;
    throw ledgerError(
      LedgerErrorCodes.BACKPRESSURE,
      `ledger writer queue is full (${o.maxQueue} entries); the entry was refused`,
    );
  }

  function enqueue(stream: string, entry: object): { records: string[]; waiters: Waiter[] } {
    const t = leafTemplate(stream, entry, o.clock.now());
    const buffer = buffers.get(stream)!;
    buffer.records.push(t.time + FIELD_SEPARATOR + t.head + FIELD_SEPARATOR + t.tail);
    stats.queued += 1;
    return buffer;
  }

  return {
    append(stream, entry) {
      if (!admit(stream)) return;
      const buffer = enqueue(stream, entry);
      if (buffer.records.length >= o.batchSize) postStream(stream);
      else if (!timer && !immediate) timer = setTimeout(postAll, o.flushIntervalMs).unref();
    },

    appendDurable(stream, entry) {
      try {
        if (!admit(stream)) return Promise.resolve({ seq: null });
        const buffer = enqueue(stream, entry);
        return new Promise((resolve, reject) => {
          buffer.waiters.push({ index: buffer.records.length - 1, resolve, reject });
          // Post on the next turn: every durable append of this turn shares one commit.
          if (buffer.records.length >= o.batchSize) postStream(stream);
          else immediate ??= setImmediate(postAll);
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },

    flush() {
      if (dead) return Promise.reject(dead);
      postAll();
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        flushes.set(id, { resolve, reject });
        send({ t: 'flush', id });
      });
    },

    stats: () => ({ ...stats }),

    close() {
      closing ??= (async () => {
        if (dead) return;
        postAll();
        const id = nextId++;
        const flushed = new Promise<void>((resolve, reject) =>
          flushes.set(id, { resolve, reject }),
        );
        send({ t: 'flush', id });
        const closed = new Promise<void>((resolve) => (onClosed = resolve));
        send({ t: 'close' });
        await flushed.catch(() => undefined);
        await closed;
        await worker.terminate();
      })();
      return closing;
    },
  };
}
