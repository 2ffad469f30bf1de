/**
 * Bench targets (d) and (e): aisoc as `aisoc serve` runs it (the composition root: store,
 * in-process bus, ledger writer, gateway, admin API) in front of the bench upstream, with
 * SQLite in BENCH_DATA_DIR and the durability mode from BENCH_MODE (async | durable).
 * BENCH_DETECTION (monitor | blocking), when set, gives the model its CSV reference rows, so the
 * per-principal detectors run: on the bus (monitor) or before each answer (blocking).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, startAisoc } from '../../src/app/index.js';
import { parseConfig } from '../../src/config/index.js';
import { loadLedgerKey, verifyLedger } from '../../src/ledger/index.js';
import { createKeyRepository, createStore } from '../../src/store/index.js';
import { failChild, serveAsChild } from './child-process.js';
import { MODEL_ID } from './fixture.js';

async function main(): Promise<void> {
  const upstream = required('BENCH_UPSTREAM');
  const dataDir = required('BENCH_DATA_DIR');
  // aisoc refuses a data folder that group or others can reach (whatever the umask gives).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const config = parseConfig(
    {
      dataDir,
      store: { driver: 'sqlite', path: join(dataDir, 'aisoc.db') },
      ledger: { keyFile: join(dataDir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dataDir, 'admin.token') },
      gateway: { port: 0, durability: required('BENCH_MODE') },
      models: [
        {
          id: MODEL_ID,
          featureCount: 30,
          versions: [{ version: '1', upstream }],
          ...detection(process.env.BENCH_DETECTION),
        },
      ],
    },
    dataDir,
  );
  await addBenchKey(config.store, required('BENCH_KEY_HASH'));
  const aisoc = await startAisoc(config);
  serveAsChild(aisoc.gatewayUrl, async () => {
    await aisoc.ledger.flush();
    const counters = aisoc.ledger.stats();
    const { verifierKey } = await loadLedgerKey(config.ledger.keyFile);
    const started = performance.now();
    const verified = await verifyLedger(aisoc.store, 'inference', {
      publicKey: verifierKey,
      origin: config.ledger.origin,
    });
    const verifyMs = performance.now() - started;
    await aisoc.close();
    return { ledger: 'SQLite (createLedgerWriter via startAisoc)', counters, verified, verifyMs };
  });
}

/** The bench key, stored before start so the gateway loads it; no rate limit to measure. */
async function addBenchKey(
  storeConfig: Parameters<typeof createStore>[0],
  keyHash: string,
): Promise<void> {
  const store = await createStore(storeConfig);
  try {
    await store.migrate();
    await createKeyRepository(store.db).insert({
      id: 'key_bench',
      principal: 'bench',
      keyHash,
      prefix: 'aisoc_bench',
      description: 'gateway benchmark',
      models: null,
      ratePerSecond: 1e9,
      burst: 1e9,
      createdAt: new Date().toISOString(),
    });
  } finally {
    await store.close();
  }
}

function detection(mode: string | undefined): Record<string, unknown> {
  if (!mode) return {};
  return {
    baseline: join(packageRoot(), 'data', MODEL_ID, 'reference.csv'),
    detection: { mode },
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch(failChild);
