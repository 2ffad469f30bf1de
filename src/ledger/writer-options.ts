import { systemClock, type Clock } from '../core/index.js';
import type { StoreConfig } from '../store/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import type { LedgerKey } from './ledger-key.js';
import type { LedgerLoss } from './retry-queue.js';
import type { CheckpointPolicy } from './ledger-committer.js';

export const OVERFLOW_POLICIES = ['drop', 'reject'] as const;
/** 'drop' fails open (the entry is counted and lost), 'reject' fails closed (LEDGER_BACKPRESSURE). */
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];

export interface LedgerWriterOptions {
  /** Where the worker opens its own connection (SQLite file or PostgreSQL). Migrated already. */
  readonly store: StoreConfig;
  /** The streams this writer appends to, e.g. ['inference', 'audit']. */
  readonly streams: readonly string[];
  readonly key: LedgerKey;
  /** Checkpoint origin prefix: stream S publishes checkpoints with origin `<origin>/S`. */
  readonly origin: string;
  /** Entries per stream that make the main thread post a batch at once (default 1,000). */
  readonly batchSize?: number;
  /** How long an async entry may wait on the main thread before its batch is posted (default 5). */
  readonly flushIntervalMs?: number;
  /** Entries queued or in flight before overflow applies: the async loss window (default 100,000). */
  readonly maxQueue?: number;
  readonly overflow?: OverflowPolicy;
  /**
   * SQLite: how long the worker waits on another connection's lock before the batch fails
   * (default 250; never longer than the store's busyTimeoutMs). Async entries then retry;
   * a durable append fails at once, so a durable gateway answers 503 promptly instead of
   * after the busy timeout (issue 14, finding 9).
   */
  readonly lockWaitMs?: number;
  /** Sign a checkpoint after this many entries or this much time (defaults 10,000 and 1,000 ms). */
  readonly checkpointEvery?: { readonly entries?: number; readonly ms?: number };
  readonly clock?: Clock;
  /** Hears about every entry not written (retried or refused) or lost, as it happens. */
  readonly onLoss?: (loss: LedgerLoss) => void;
}

export interface ResolvedWriterOptions {
  readonly store: StoreConfig;
  readonly streams: ReadonlySet<string>;
  readonly key: LedgerKey;
  readonly origin: string;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueue: number;
  readonly overflow: OverflowPolicy;
  readonly checkpointEvery: CheckpointPolicy;
  readonly clock: Clock;
}

/** Stream names go into checkpoint origins and file names: keep them plain. */
export const STREAM_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function whole(
  problems: string[],
  name: string,
  value: number | undefined,
  min: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    problems.push(`${name} must be a whole number >= ${min}, got ${value}`);
  return value;
}

function withLockWait(store: StoreConfig, lockWaitMs: number): StoreConfig {
  if (store?.driver !== 'sqlite') return store;
  return { ...store, busyTimeoutMs: Math.min(store.busyTimeoutMs ?? 5_000, lockWaitMs) };
}

/** Checks every option at once and reports all problems in one LEDGER_OPTIONS_INVALID. */
export function resolveWriterOptions(options: LedgerWriterOptions): ResolvedWriterOptions {
  const problems: string[] = [];
  const streams = Array.isArray(options.streams) ? options.streams : [];
  if (streams.length === 0) problems.push('streams must list at least one stream');
  for (const s of streams)
    if (!STREAM_NAME.test(s))
      problems.push(`stream ${JSON.stringify(s)} must match ${STREAM_NAME}`);
  if (
    typeof options.origin !== 'string' ||
    options.origin.length === 0 ||
    /[\s+]/.test(options.origin)
  ) {
    problems.push(
      'origin must be a non-empty string without spaces, e.g. "soc.example.com/ledger"',
    );
  }
  if (!options.key || typeof options.key.name !== 'string' || !options.key.privateKey)
    problems.push('key must be a LedgerKey (loadLedgerKey)');
  if (!options.store || typeof options.store !== 'object')
    problems.push('store must be a store config');
  const overflow = options.overflow ?? 'reject';
  if (!OVERFLOW_POLICIES.includes(overflow))
    problems.push(`overflow must be one of ${OVERFLOW_POLICIES.join(', ')}`);
  const lockWaitMs = whole(problems, 'lockWaitMs', options.lockWaitMs, 0, 250);
  const resolved: ResolvedWriterOptions = {
    store: withLockWait(options.store, lockWaitMs),
    streams: new Set(streams),
    key: options.key,
    origin: options.origin,
    batchSize: whole(problems, 'batchSize', options.batchSize, 1, 1000),
    flushIntervalMs: whole(problems, 'flushIntervalMs', options.flushIntervalMs, 0, 5),
    maxQueue: whole(problems, 'maxQueue', options.maxQueue, 1, 100_000),
    overflow,
    checkpointEvery: {
      entries: whole(
        problems,
        'checkpointEvery.entries',
        options.checkpointEvery?.entries,
        1,
        10_000,
      ),
      ms: whole(problems, 'checkpointEvery.ms', options.checkpointEvery?.ms, 1, 1000),
    },
    clock: options.clock ?? systemClock,
  };
  if (problems.length > 0) {
    throw ledgerError(
      LedgerErrorCodes.OPTIONS_INVALID,
      `invalid ledger writer options: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  return resolved;
}
