import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { packageRoot } from '../src/app/index.js';
import { canonicalJson } from '../src/core/index.js';
import { analyseImpact, syncEventIndex } from '../src/forensics/index.js';
import { loadOnnxModel } from '../src/serve/index.js';
import { createStore, type Store } from '../src/store/index.js';

// Impact analysis: N decisions of a suspect breast-cancer version (one row per request, the
// costliest shape) re-scored in-process on the demo ONNX model. AISOC_BENCH_IMPACT_N sets N
// (default 100,000; the target is 1,000,000 in under 60 s).

const N = Number(process.env.AISOC_BENCH_IMPACT_N ?? 100_000);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function demoRows(): Promise<number[][]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(packageRoot(), 'data', 'breast-cancer', 'holdout.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, -1).map(Number));
}

async function seed(store: Store, rows: number[][]): Promise<void> {
  for (let start = 0; start < N; start += 20_000) {
    await store.db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(start + 20_000, N); i += 250) {
        const values = [];
        for (let seq = i; seq < Math.min(i + 250, N); seq++) {
          const time = new Date(T0 + seq * 10).toISOString();
          const payload = canonicalJson({
            stream: 'inference',
            seq,
            id: `evt_${seq}`,
            time,
            requestId: `req_${seq}`,
            model: 'breast-cancer',
            modelVersion: '2',
            artifactDigest: null,
            protocol: 'kserve-v2',
            principal: `clinic-${seq % 10}`,
            keyId: `key_${seq % 10}`,
            sourceAddress: '10.0.0.1',
            features: [rows[seq % rows.length]!],
            outputs: [[0.02, 0.98]],
            status: 200,
            outcome: 'ok',
            errorCode: null,
            policyAction: null,
            latencyMs: 1,
            subject: `patient-${seq % 5000}`,
          });
          values.push(sql`('inference', ${seq}, ${time}, 'x', ${payload})`);
        }
        await sql`insert into ledger_entries (stream, seq, time, leaf_hash, payload) values ${sql.join(values)}`.execute(
          trx,
        );
      }
    });
  }
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-impact-'));
  const store = await createStore({ driver: 'sqlite', path: join(dir, 'aisoc.db') });
  const model = await loadOnnxModel(join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'), {
    threads: 1,
  });
  try {
    await store.migrate();
    await seed(store, await demoRows());
    await syncEventIndex(store);
    for (const [concurrency, batchRows] of [
      [1, 256],
      [4, 256],
      [4, 1024],
    ] as const) {
      const started = performance.now();
      const summary = await analyseImpact(store, {
        model: 'breast-cancer',
        version: '2',
        goodVersion: '1',
        scorer: model,
        concurrency,
        batchRows,
      });
      const ms = performance.now() - started;
      console.log(
        `re-scored ${fmt(summary.decisions)} decisions (${fmt(summary.flips)} flip, ${fmt(summary.subjects)} subjects) ` +
          `in ${fmt(ms)} ms: ${fmt((summary.decisions / ms) * 1000)} decisions/s ` +
          `(concurrency ${concurrency}, ${batchRows} rows a batch; 1M would take ~${(((1e6 / summary.decisions) * ms) / 1000).toFixed(0)} s)`,
      );
    }
  } finally {
    await model.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
