import type { KeyObject } from 'node:crypto';
import type { StoreConfig } from '../store/index.js';
import type { CheckpointPolicy } from './ledger-committer.js';

// Messages between createLedgerWriter (main thread) and its worker (ledger-worker.ts).

export interface WorkerData {
  readonly store: StoreConfig;
  readonly origin: string;
  readonly keyName: string;
  readonly privateKey: KeyObject;
  readonly checkpointEvery: CheckpointPolicy;
  /** Streams whose crash tail the worker signs at open. */
  readonly streams: readonly string[];
}

export type ToWorker =
  | { readonly t: 'append'; readonly id: number; readonly stream: string; readonly records: string }
  | { readonly t: 'flush'; readonly id: number }
  | { readonly t: 'close' };

export interface WireError {
  readonly code: string;
  readonly message: string;
}

export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'fatal'; readonly error: WireError }
  | {
      readonly t: 'committed';
      readonly ids: number[];
      readonly firstSeqs: number[];
      readonly ms: number;
    }
  | { readonly t: 'failed'; readonly ids: number[]; readonly error: WireError }
  | { readonly t: 'flushed'; readonly id: number; readonly error?: WireError }
  | { readonly t: 'closed' };
