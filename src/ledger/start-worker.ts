import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/index.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';
import type { FromWorker, WireError, WorkerData } from './worker-protocol.js';

/** An error the worker reported, with its code kept. */
export function fromWire(error: WireError): AppError {
  return new AppError(error.code, error.message);
}

function spawn(data: WorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./ledger-worker.js', here), { workerData: data });
  }
  // Running from TypeScript sources (tests, tsx): a worker does not inherit the loader, so
  // it loads its entry through tsx's tsImport (tsx is a dev dependency; built code is JS).
  // require.resolve yields the CommonJS build; its ESM twin sits beside it.
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./ledger-worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true, workerData: data });
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
