/**
 * Privacy benchmark (issue 19): gateway throughput with `encrypt` on every feature of the
 * breast-cancer model (one data key per patient, 1,000 patients) against the same gateway
 * without a privacy block, in interleaved rounds; and the time to erase one subject's key
 * among many. AISOC_BENCH_QUICK=1 for a short run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { demoModels, startAisoc } from '../src/app/index.js';
import { parseConfig } from '../src/config/index.js';
import { createKeyring, fileKeyWrapper } from '../src/privacy/index.js';
import { createStore } from '../src/store/index.js';
import { randomBytes } from 'node:crypto';

const quick = process.env.AISOC_BENCH_QUICK === '1';
const ROUNDS = Number(process.env.AISOC_BENCH_ROUNDS) || (quick ? 2 : 5);
const SECONDS = Number(process.env.AISOC_BENCH_SECONDS) || (quick ? 2 : 4);
const CONNECTIONS = 16;

const ROW = Array.from({ length: 30 }, (_, i) => 10 + i * 0.37);
const body = (patient: number) =>
  JSON.stringify({
    inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: ROW }],
    parameters: { patient_id: `P-${patient}` },
  });

async function startOne(dir: string, encrypt: boolean) {
  const models = demoModels()
    .filter((m) => m.id === 'breast-cancer')
    .map((m) => ({
      ...m,
      baseline: undefined,
      subject: '/parameters/patient_id',
      ...(encrypt ? { privacy: { defaultFeature: { policy: 'encrypt' } } } : {}),
    }));
  const config = parseConfig(
    {
      dataDir: dir,
      admin: { port: 0 },
      gateway: { port: 0, defaultRateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000 } },
      models,
    },
    dir,
  );
  const aisoc = await startAisoc(config);
  const { readFileSync } = await import('node:fs');
  const token = readFileSync(config.admin.tokenFile, 'utf8').trim();
  const res = await request(`${aisoc.adminUrl}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ principal: 'bench', ratePerSecond: 1_000_000, burst: 1_000_000 }),
  });
  const created = (await res.body.json()) as { secret?: string };
  if (!created.secret) throw new Error(`cannot create a key: ${JSON.stringify(created)}`);
  const secret = created.secret;
  return { aisoc, secret };
}

async function saturate(
  url: string,
  secret: string,
  seconds: number,
  count = Infinity,
): Promise<number> {
  const agent = new Agent({ connections: CONNECTIONS });
  const end = count === Infinity ? performance.now() + seconds * 1000 : Infinity;
  let done = 0;
  let patient = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end && patient < count) {
        const res = await request(`${url}/v2/models/breast-cancer/infer`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: body(patient++ % 1000),
        });
        await res.body.arrayBuffer();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        done++;
      }
    }),
  );
  await agent.close();
  return done / seconds;
}

async function eraseBench(dir: string, keys: number) {
  const store = await createStore({ driver: 'sqlite', path: join(dir, 'erase.db') });
  await store.migrate();
  const keyring = createKeyring({
    db: store.db,
    driver: store.driver,
    wrapper: fileKeyWrapper(randomBytes(32)),
    cacheMs: 0,
  });
  const rows = Array.from({ length: keys }, (_, i) => ({
    subject_ref: `ps_${i.toString(16).padStart(32, '0')}`,
    kek_id: 'bench',
    wrapped: randomBytes(60).toString('base64'),
    created_at: new Date().toISOString(),
  }));
  const db = store.db.withTables<{
    privacy_keys: { subject_ref: string; kek_id: string; wrapped: string; created_at: string };
  }>();
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('privacy_keys')
      .values(rows.slice(i, i + 500))
      .execute();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await keyring.erase(rows[i * 997]!.subject_ref);
    times.push(performance.now() - t0);
  }
  await store.close();
  return times.sort((a, b) => a - b)[2]!;
}

export async function run(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'aisoc-bench-privacy-'));
  try {
    const plain = await startOne(join(tmp, 'plain'), false);
    const sealed = await startOne(join(tmp, 'sealed'), true);
    // Cold: the first request of each of the 1,000 patients creates and wraps its data key.
    const t0 = performance.now();
    await saturate(sealed.aisoc.gatewayUrl, sealed.secret, 0, 1000);
    const coldMs = performance.now() - t0;
    await saturate(plain.aisoc.gatewayUrl, plain.secret, 1);
    const ratios: number[] = [];
    console.log('## privacy: gateway with encrypt on all 30 features vs without');
    console.log(
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `cold: first requests of 1,000 patients (a key created for each): ${coldMs.toFixed(0)} ms`,
    );
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so a trend in the machine's load favours neither.
      const measure = (t: typeof plain) => saturate(t.aisoc.gatewayUrl, t.secret, SECONDS);
      let a: number;
      let b: number;
      if (r % 2 === 0) {
        a = await measure(plain);
        b = await measure(sealed);
      } else {
        b = await measure(sealed);
        a = await measure(plain);
      }
      ratios.push(b / a);
      console.log(
        `round ${r + 1}: plain ${a.toFixed(0)} req/s, encrypt ${b.toFixed(0)} req/s, ratio ${(b / a).toFixed(3)}`,
      );
    }
    ratios.sort((x, y) => x - y);
    console.log(
      `median ratio (encrypt / plain): ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`,
    );
    await plain.aisoc.close();
    await sealed.aisoc.close();
    const keys = quick ? 20_000 : 200_000;
    const ms = await eraseBench(tmp, keys);
    console.log(
      `erase one subject among ${keys} data keys (SQLite, secure_delete + WAL truncate): median ${ms.toFixed(1)} ms`,
    );
    console.log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
