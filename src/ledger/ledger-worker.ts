import { parentPort, workerData } from 'node:worker_threads';
import { systemClock, toAppError } from '../core/index.js';
import { createStore, type Store } from '../store/index.js';
import {
  createLedgerCommitter,
  type CommitRequest,
  type LedgerCommitter,
} from './ledger-committer.js';
import { keyFromPrivate } from './ledger-key.js';
import type { FromWorker, ToWorker, WireError, WorkerData } from './worker-protocol.js';

// The ledger writer's worker thread: it owns its own store connection, so hashing, signing
// and database writes never run on the thread that serves requests.

const port = parentPort!;
const data = workerData as WorkerData;
const post = (message: FromWorker): void => port.postMessage(message);
const wire = (e: unknown): WireError => {
  const error = toAppError(e);
  return { code: error.code, message: error.message };
};

type Job = ToWorker | { readonly t: 'tick' };
let queue: Job[] = [];
let running = false;

async function drain(store: Store, committer: LedgerCommitter): Promise<void> {
  running = true;
  while (queue.length > 0) {
    // Everything that arrived while the last transaction ran commits together: group commit.
    const batch = queue;
    queue = [];
    let appends: Extract<ToWorker, { t: 'append' }>[] = [];
    for (const message of batch) {
      if (message.t === 'append') {
        appends.push(message);
        continue;
      }
      await commitAll(committer, appends);
      appends = [];
      if (message.t === 'flush') await flush(committer, message.id);
      else if (message.t === 'tick') await committer.checkpointDue(false).catch(() => undefined);
      else return close(store);
    }
    await commitAll(committer, appends);
  }
  running = false;
}

async function commitAll(
  committer: LedgerCommitter,
  appends: Extract<ToWorker, { t: 'append' }>[],
): Promise<void> {
  if (appends.length === 0) return;
  const ids = appends.map((a) => a.id);
  const started = performance.now();
  try {
    const requests: CommitRequest[] = appends.map((a) => ({
      stream: a.stream,
      records: a.records,
    }));
    const firstSeqs = await committer.commit(requests);
    post({ t: 'committed', ids, firstSeqs, ms: performance.now() - started });
  } catch (e) {
    post({ t: 'failed', ids, error: wire(e) });
  }
}

async function flush(committer: LedgerCommitter, id: number): Promise<void> {
  try {
    await committer.checkpointDue(true);
    post({ t: 'flushed', id });
  } catch (e) {
    post({ t: 'flushed', id, error: wire(e) });
  }
}

async function close(store: Store): Promise<void> {
  clearInterval(timer);
  await store.close().catch(() => undefined);
  post({ t: 'closed' });
  port.close();
}

let timer: NodeJS.Timeout | undefined;

async function main(): Promise<void> {
  let store: Store;
  let committer: LedgerCommitter;
  try {
    store = await createStore(data.store);
    const signer = keyFromPrivate(data.keyName, data.privateKey);
    committer = createLedgerCommitter({
      store,
      signer,
      origin: data.origin,
      checkpointEvery: data.checkpointEvery,
      clock: systemClock,
    });
    // A writer that died left entries no checkpoint covers: sign them before taking new ones.
    // Not fatal: a stream that could not be signed now is covered by its next checkpoint.
    await committer.signTails(data.streams).catch(() => undefined);
  } catch (e) {
    post({ t: 'fatal', error: wire(e) });
    port.close();
    return;
  }
  const enqueue = (job: Job): void => {
    queue.push(job);
    if (!running) void drain(store, committer);
  };
  port.on('message', enqueue);
  // Time-based checkpoints for a stream that went quiet after its last batch; queued like
  // any message so that only one transaction runs at a time.
  timer = setInterval(
    () => {
      if (!running && queue.length === 0) enqueue({ t: 'tick' });
    },
    Math.max(10, Math.min(data.checkpointEvery.ms, 1000)),
  );
  timer.unref();
  post({ t: 'ready' });
}

void main();
