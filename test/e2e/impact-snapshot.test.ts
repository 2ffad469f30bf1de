import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot, startAisoc, type RunningAisoc } from '../../src/app/index.js';
import { parseConfig } from '../../src/config/index.js';
import { loadOnnxModel } from '../../src/serve/index.js';
import { demoRows, kserveBody } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';
import { startTestUpstream } from '../support/upstream.js';
import { writePoisonedBreastCancer } from '../support/poisoned-model.js';

// `aisoc impact --snapshot DATASET@LABEL` with a real registry: a snapshot is read by a run
// that produced v2, and v3 is fine-tuned from v2; v1 serves, then v2, v3, then a rollback to
// v1; impact finds v2 and v3 through lineage and lists exactly the decisions they served, v2's
// the same as `--model-version v2` lists them.
describe('impact of a dataset snapshot, through lineage, from the CLI', () => {
  let dir: string;
  let aisoc: RunningAisoc;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  let rows: number[][];
  let secret: string;
  let v1Onnx: string;
  let v2Onnx: string;
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `aisoc ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const infer = async (i: number) => {
    const res = await fetch(`${aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody([rows[i]!]),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { model_version: string }).model_version;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisoc-impact-snapshot-'));
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(
      join(dir, 'release.pem'),
      pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    writeFileSync(join(dir, 'release.pub'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const raw = {
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0 },
      registry: { integrityIntervalMs: 60_000, trustedKeys: [join(dir, 'release.pub')] },
      models: demoModels(),
    };
    aisoc = await startAisoc(parseConfig(raw, dir));
    const port = Number(new URL(aisoc.adminUrl).port);
    writeFileSync(
      join(dir, 'aisoc.yaml'),
      JSON.stringify({ ...raw, admin: { ...raw.admin, port } }),
    );
    cli = (...args) => runCli(['--config', join(dir, 'aisoc.yaml'), ...args]);
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    secret = (
      (await fetch(`${aisoc.adminUrl}/api/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ principal: 'clinic-1' }),
      }).then((r) => r.json())) as { secret: string }
    ).secret;
    rows = await demoRows('breast-cancer', 'holdout', 60);
    mkdirSync(join(dir, 'bc-v1'));
    mkdirSync(join(dir, 'bc-v2'));
    mkdirSync(join(dir, 'bc-v3'));
    v1Onnx = join(dir, 'bc-v1', 'model.onnx');
    copyFileSync(join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'), v1Onnx);
    v2Onnx = writePoisonedBreastCancer(join(dir, 'bc-v2', 'model.onnx'));
    copyFileSync(v2Onnx, join(dir, 'bc-v3', 'model.onnx')); // fine-tuned from v2, still poisoned
    for (const v of ['v1', 'v2', 'v3']) {
      const signed = await runCli([
        'sign',
        join(dir, `bc-${v}`),
        '--private-key',
        join(dir, 'release.pem'),
        '--output',
        join(dir, `${v}.sig`),
      ]);
      expect(signed.code, signed.stderr).toBe(0);
    }
    mkdirSync(join(dir, 'scans'));
    writeFileSync(join(dir, 'scans', 'train.csv'), 'radius,label\n1.2,0\n3.4,1\n');
  }, 120_000);
  afterAll(async () => {
    await aisoc?.close();
  });

  it('lists every decision of the versions trained on the snapshot, in the windows they served', async () => {
    await ok(
      'registry',
      'register',
      'breast-cancer',
      'v1',
      join(dir, 'bc-v1'),
      '--signature',
      join(dir, 'v1.sig'),
      '--location',
      '--owner',
      'ml',
    );
    await ok(
      'registry',
      'register',
      'breast-cancer',
      'v2',
      join(dir, 'bc-v2'),
      '--signature',
      join(dir, 'v2.sig'),
      '--location',
    );
    await ok('registry', 'dataset', 'add', 'scans', '--owner', 'data');
    await ok('registry', 'snapshot', 'add', 'scans', join(dir, 'scans'), '--label', '2026-11');
    await ok(
      'registry',
      'run',
      'add',
      '--code-revision',
      'git:poison',
      '--inputs',
      'scans@2026-11',
      '--outputs',
      'breast-cancer@v2',
    );
    // v3 fine-tuned from v2: not trained on the snapshot itself, found through its base model.
    await ok(
      'registry',
      'register',
      'breast-cancer',
      'v3',
      join(dir, 'bc-v3'),
      '--signature',
      join(dir, 'v3.sig'),
      '--location',
    );
    await ok(
      'registry',
      'run',
      'add',
      '--code-revision',
      'git:finetune',
      '--inputs',
      'breast-cancer@v2',
      '--outputs',
      'breast-cancer@v3',
    );
    for (const v of ['v1', 'v2', 'v3'])
      await ok('registry', 'approve', 'breast-cancer', v, '--reason', 'ok');
    await ok('registry', 'deploy', 'breast-cancer', 'v1', '--reason', 'first release');
    for (let i = 0; i < 10; i++) expect(await infer(i)).toBe('v1');
    await ok('registry', 'deploy', 'breast-cancer', 'v2', '--reason', 'retrained');
    for (let i = 10; i < 45; i++) expect(await infer(i)).toBe('v2');
    await ok('registry', 'deploy', 'breast-cancer', 'v3', '--reason', 'fine-tuned');
    for (let i = 45; i < 50; i++) expect(await infer(i)).toBe('v3');
    await ok('rollback', 'breast-cancer', '--to', 'v1', '--reason', 'poisoned snapshot');
    for (let i = 50; i < 60; i++) expect(await infer(i)).toBe('v1');

    // What the decisions should be: v2's answers against v1's, row by row.
    const [good, bad] = await Promise.all([loadOnnxModel(v1Onnx), loadOnnxModel(v2Onnx)]);
    const served = rows.slice(10, 50);
    const goodLabels = (await good.infer(served)).labels;
    const badLabels = (await bad.infer(served)).labels;
    await good.close();
    await bad.close();
    const flips = goodLabels.filter((l, i) => l !== badLabels[i]).length;
    expect(flips).toBeGreaterThan(0); // the poisoned model answers some rows otherwise

    const out = join(dir, 'snapshot.jsonl');
    const r = await cli(
      'impact',
      '--snapshot',
      'scans@2026-11',
      '--good',
      'v1',
      '--good-onnx',
      v1Onnx,
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.targets.map((t: { version: string }) => t.version)).toEqual(['v2', 'v3']);
    expect(summary.targets[0].windows).toHaveLength(1); // deployed, then replaced by v3
    expect(summary.versions.map((v: { version: string }) => v.version)).toEqual(['v2', 'v3']);
    const flipsV2 = goodLabels.slice(0, 35).filter((l, i) => l !== badLabels[i]).length;
    expect(summary.versions[0]).toMatchObject({
      model: 'breast-cancer',
      version: 'v2',
      goodVersion: 'v1',
      decisions: 35,
      flips: flipsV2,
      errors: 0,
    });
    expect(summary.versions[1]).toMatchObject({
      version: 'v3',
      decisions: 5,
      flips: flips - flipsV2,
    });
    expect(summary).toMatchObject({ decisions: 40, flips });
    const decisions = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(decisions.map((d) => d.input)).toEqual(served);
    expect(decisions.map((d) => d.modelVersion)).toEqual([
      ...Array(35).fill('v2'),
      ...Array(5).fill('v3'),
    ]);

    // The same decisions and totals as naming the version directly.
    const direct = join(dir, 'direct.jsonl');
    const d = await cli(
      'impact',
      '--model',
      'breast-cancer',
      '--model-version',
      'v2',
      '--good',
      'v1',
      '--good-onnx',
      v1Onnx,
      '--out',
      direct,
      '--json',
    );
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ decisions: 35, flips: flipsV2 });
    const v2Lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"modelVersion":"v2"'));
    expect(readFileSync(direct, 'utf8')).toBe(`${v2Lines.join('\n')}\n`);

    // No stderr without a terminal unless asked; with --progress, a bar per version.
    expect(r.stderr).toBe('');
    // The known-good version through an upstream (KServe V2) instead of its ONNX.
    const upstream = await startTestUpstream();
    try {
      const viaHttp = await cli(
        'impact',
        '--snapshot',
        'scans@2026-11',
        '--good',
        'v1',
        '--good-upstream',
        upstream.url,
        '--concurrency',
        '2',
        '--progress',
        '--out',
        join(dir, 'upstream.csv'),
        '--format',
        'csv',
      );
      expect(viaHttp.code, viaHttp.stderr).toBe(0);
      expect(viaHttp.stderr).toMatch(/re-scoring breast-cancer@v2 \[#+\] 100% 35\/35/);
      expect(viaHttp.stdout).toMatch(/total {6}40 decisions/);
      expect(upstream.requests.length).toBeGreaterThan(0);
      expect(
        upstream.requests.every((q) => q.url === '/v2/models/breast-cancer/versions/v1/infer'),
      ).toBe(true);
      const sent = upstream.requests.flatMap(
        (q) => (JSON.parse(q.body) as { inputs: { data: number[] }[] }).inputs[0]!.data,
      );
      expect(sent).toEqual(served.flat());
    } finally {
      await upstream.close();
    }

    // A bad snapshot name is a clear error, not a crash.
    const bad2 = await cli('impact', '--snapshot', 'scans', '--out', out);
    expect(bad2.code).not.toBe(0);
    expect(bad2.stderr).toMatch(/DATASET@LABEL/);
  }, 240_000);
});
