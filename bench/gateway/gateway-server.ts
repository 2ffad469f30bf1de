/**
 * Bench targets (d) and (e): the aisoc gateway in front of the bench upstream, with the
 * inference ledger on SQLite in BENCH_DATA_DIR, durability from BENCH_MODE (async|durable).
 */
import { join } from 'node:path';
import { parseConfig } from '../../src/config/index.js';
import { buildPolicySnapshot } from '../../src/core/index.js';
import { createGateway, createKeyDirectory } from '../../src/gateway/index.js';
import { openBenchLedger } from './bench-ledger.js';
import { failChild, serveAsChild } from './child-process.js';
import { MODEL_ID } from './fixture.js';

async function main(): Promise<void> {
  const upstream = required('BENCH_UPSTREAM');
  const mode = required('BENCH_MODE');
  const dataDir = required('BENCH_DATA_DIR');
  const config = parseConfig(
    {
      dataDir,
      store: { driver: 'sqlite', path: join(dataDir, 'aisoc.db') },
      ledger: { keyFile: join(dataDir, 'ledger.key') },
      gateway: { port: 0, durability: mode },
      models: [{ id: MODEL_ID, featureCount: 30, versions: [{ version: '1', upstream }] }],
    },
    dataDir,
  );
  const keys = createKeyDirectory();
  const key = { id: 'key_bench', principal: 'bench', models: null };
  // No rate limit for the bench key: the bench measures the proxy, not the token bucket's refusals.
  keys.replace([
    { hash: required('BENCH_KEY_HASH'), key: { ...key, ratePerSecond: 1e9, burst: 1e9 } },
  ]);
  const ledger = await openBenchLedger(config);
  const snapshot = buildPolicySnapshot(0, []);
  const gateway = createGateway({
    config: config.gateway,
    models: config.models,
    keys,
    policy: () => snapshot,
    localModels: new Map(),
    events: ledger.sink,
  });
  const url = await gateway.listen();
  serveAsChild(url, async () => {
    await gateway.close();
    await ledger.close();
    const counters = ledger.counters();
    const verified = await ledger.verify();
    return { ledger: ledger.kind, counters, verified, stats: gateway.stats() };
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch(failChild);
