import type { Worker } from 'node:worker_threads';
import { AppError, spawnModuleWorker } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import type { FromWorker, WireError, WorkerData } from './worker-protocol.js';

/** An error the worker reported, with its code kept. */
export function fromWire(error: WireError): AppError {
  return new AppError(error.code, error.message);
}

function spawn(data: WorkerData): Worker {
  return spawnModuleWorker(import.meta.url, 'ledger-worker', data);
}

/** Starts the ledger worker and resolves once it has opened its store (or rejects with why not). */
export async function startLedgerWorker(data: WorkerData): Promise<Worker> {
  const worker = spawn(data);
  // Listeners are removed one by one: Worker keeps internal listeners of its own.
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
  return worker;
}
