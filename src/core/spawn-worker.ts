import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread whose entry is the module `name` (without extension) beside `here`
 * (the caller's import.meta.url), from built JS or from TypeScript sources alike.
 */
export function spawnModuleWorker(here: string, name: string, workerData: unknown): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), { workerData });
  // The test suites bundle every worker entry once per run (test/support/cli-bundle.ts): a
  // bundled entry starts in milliseconds, where tsx compiles the entry's imports per worker.
  const bundled = process.env.AISOC_WORKER_BUNDLE_DIR;
  if (bundled && existsSync(join(bundled, `${name}.js`)))
    return new Worker(pathToFileURL(join(bundled, `${name}.js`)), { workerData });
  // Running from TypeScript sources (tests, tsx): a worker does not inherit the loader, so
  // it loads its entry through tsx's tsImport (tsx is a dev dependency; built code is JS).
  // require.resolve yields the CommonJS build; its ESM twin sits beside it.
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL(`./${name}.ts`, here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true, workerData });
}
