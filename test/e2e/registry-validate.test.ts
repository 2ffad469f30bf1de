import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { signModel } from '../../src/registry/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';

/** A KServe V2 server that calls every row benign (class 0): a broken candidate. */
async function startConstantUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const rows = (JSON.parse(body) as { inputs: { shape: number[] }[] }).inputs[0]!.shape[0]!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          outputs: [
            {
              name: 'probabilities',
              datatype: 'FP32',
              shape: [rows, 2],
              data: Array.from({ length: rows }, () => [0.9, 0.1]).flat(),
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// A synthetic group column derived from a feature: the parity of mean_compactness in units of
// 1e-4. The holdout's label shares are within 0.01 of each other in the two groups, so an
// accurate model has small gaps, and a server can tell the groups apart from the features alone.
const COMPACTNESS = 5;
const parityOf = (compactness: number) =>
  Math.round(compactness * 10_000) % 2 === 0 ? 'even' : 'odd';

/** A KServe V2 server that selects (class 1) every "even" row and no "odd" row: unfair. */
async function startUnfairUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const input = (JSON.parse(body) as { inputs: { shape: number[]; data: number[] }[] })
        .inputs[0]!;
      const [rows, width] = input.shape as [number, number];
      const data = Array.from({ length: rows }, (_, r) =>
        parityOf(input.data[r * width + COMPACTNESS]!) === 'even' ? [0.1, 0.9] : [0.9, 0.1],
      ).flat();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [rows, 2], data }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the validation gate before a deploy (registry.requireValidation)', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let upstream: Awaited<ReturnType<typeof startConstantUpstream>>;
  let unfair: Awaited<ReturnType<typeof startUnfairUpstream>>;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  const release = async (version: string, remote?: string) => {
    const root = join(t.dir, `bc-${version}`);
    mkdirSync(root);
    copyFileSync(
      join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
      join(root, 'model.onnx'),
    );
    if (remote) writeFileSync(join(root, 'NOTES.md'), `served at ${remote}\n`);
    const { bundle, manifest } = await signModel(root, {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    const reg = await t.admin('/api/v1/registry/models/breast-cancer/versions', {
      body: {
        version,
        ...(remote ? { files: manifest.files, upstream: remote } : { location: root }),
        signature: JSON.stringify(bundle),
      },
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const ok = await t.admin(`/api/v1/registry/models/breast-cancer/versions/${version}/approve`, {
      body: { reason: 'review' },
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
  };

  beforeAll(async () => {
    upstream = await startConstantUpstream();
    unfair = await startUnfairUpstream();
    const keys = mkdtempSync(join(tmpdir(), 'aisoc-validate-keys-'));
    writeFileSync(join(keys, 'release.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    t = await startTestAisoc({
      registry: {
        integrityIntervalMs: 60_000,
        trustedKeys: [join(keys, 'release.pub')],
        requireValidation: true,
        validationTolerance: 0.02,
      },
    });
    const connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    cli = (...args) => runCli([...connection, ...args]);
    await t.admin('/api/v1/registry/models', { body: { name: 'breast-cancer', owner: 'ml' } });
    await release('good');
    await release('same');
    await release('broken', upstream.url);
    await release('unfair', unfair.url);
    const data = join(t.dir, 'eval');
    mkdirSync(data);
    copyFileSync(
      join(packageRoot(), 'data', 'breast-cancer', 'holdout.csv'),
      join(data, 'holdout.csv'),
    );
    await t.admin('/api/v1/registry/datasets', { body: { name: 'bc-eval', owner: 'ml' } });
    const snap = await t.admin('/api/v1/registry/datasets/bc-eval/snapshots', {
      body: { label: 'holdout', location: data, rowCount: 115 },
    });
    expect(snap.status, JSON.stringify(snap.json)).toBe(201);
    const grouped = join(t.dir, 'eval-grouped');
    mkdirSync(grouped);
    const [head, ...lines] = readFileSync(
      join(packageRoot(), 'data', 'breast-cancer', 'holdout.csv'),
      'utf8',
    )
      .split('\n')
      .filter((l) => l.trim() !== '');
    writeFileSync(
      join(grouped, 'holdout.csv'),
      [
        `parity,${head}`,
        ...lines.map((l) => `${parityOf(Number(l.split(',')[COMPACTNESS]))},${l}`),
      ].join('\n') + '\n',
    );
    const g = await t.admin('/api/v1/registry/datasets/bc-eval/snapshots', {
      body: { label: 'grouped', location: grouped, rowCount: 115 },
    });
    expect(g.status, JSON.stringify(g.json)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.aisoc.close();
    upstream?.server.close();
    unfair?.server.close();
  });

  it('refuses to deploy an unvalidated version, saying what to run', async () => {
    const r = await cli('registry', 'deploy', 'breast-cancer', 'same', '--reason', 'release');
    expect(r.code).toBe(3); // verification failed (docs/cli.md)
    expect(r.stderr).toContain('REGISTRY_VALIDATION_REQUIRED');
    expect(r.stderr).toContain('aisoc registry validate breast-cancer same');
  }, 180_000);

  it('passes an equal candidate, then deploys it', async () => {
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'same',
      '--against',
      'good',
      '--data',
      'bc-eval@holdout',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/accuracy\s+0\.9\d+\s+0\.9\d+\s+0\.0000\s+ok/);
    expect(r.stdout).toContain('0 of 115 decisions differ');
    expect(r.stdout).toContain('PASSED');
    const d = await cli('registry', 'deploy', 'breast-cancer', 'same', '--reason', 'validated');
    expect(d.code, d.stderr).toBe(0);
  }, 180_000);

  it('fails a broken candidate on every metric it drops, records why, and keeps it out of service', async () => {
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'broken',
      '--against',
      'good',
      '--data',
      'bc-eval@holdout',
      '--format',
      'json',
    );
    expect(r.code).toBe(3);
    const v = JSON.parse(r.stdout) as {
      passed: boolean;
      failed: string[];
      drops: Record<string, number>;
      differing: { count: number };
      candidate: { perClass: Record<string, { support: number; recall: number }> };
      knownGood: { accuracy: number };
    };
    expect(v.passed).toBe(false);
    expect(v.failed).toEqual(expect.arrayContaining(['accuracy', 'recall', 'f1', 'auc']));
    expect(v.candidate.perClass['1']!.recall).toBe(0);
    expect(v.differing.count).toBeGreaterThan(30);
    expect(v.knownGood.accuracy).toBeGreaterThan(0.9);

    const stored = await t.admin(
      '/api/v1/registry/models/breast-cancer/versions/broken/validation',
    );
    expect(stored.json.validation.passed).toBe(false);
    const d = await cli('registry', 'deploy', 'breast-cancer', 'broken', '--reason', 'try');
    expect(d.code).not.toBe(0);
    expect(d.stderr).toContain('failed its latest validation against good');
    expect(d.stderr).toMatch(/accuracy dropped by 0\.\d+/);
  }, 180_000);

  it('reports per-group fairness of both versions and passes a fair candidate', async () => {
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'same',
      '--against',
      'good',
      '--data',
      'bc-eval@grouped',
      '--group',
      'parity',
      // The gate is absolute: the known-good version's own equalised-odds gap on 115 rows is
      // 0.105 (2 false positives among 19 negatives), above the 0.1 default.
      '--fairness-tolerance',
      '0.15',
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('fairness by parity');
    expect(r.stdout).toMatch(/even\s+\d+\s+0\.9\d+\s+0\.9\d+/);
    expect(r.stdout).toMatch(/demographicParityDifference\s+0\.0\d+\s+0\.0\d+\s+ok/);
    expect(r.stdout).toMatch(/equalisedOddsDifference\s+0\.1053\s+0\.1053\s+ok/);
    expect(r.stdout).toContain('0 of 115 decisions differ');
    expect(r.stdout).toContain('PASSED');
  }, 180_000);

  it('fails a candidate whose outcomes differ by group, and keeps it out of service', async () => {
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'unfair',
      '--against',
      'good',
      '--data',
      'bc-eval@grouped',
      '--group',
      'parity',
      '--format',
      'json',
    );
    expect(r.code).toBe(3);
    const v = JSON.parse(r.stdout);
    expect(v.passed).toBe(false);
    expect(v.fairness.column).toBe('parity');
    expect(v.fairness.tolerance).toBe(0.1); // registry.fairnessTolerance's default
    expect(v.fairness.failed).toEqual(['demographicParityDifference', 'equalisedOddsDifference']);
    expect(v.fairness.candidate.groups.even.selectionRate).toBe(1);
    expect(v.fairness.candidate.groups.odd.selectionRate).toBe(0);
    expect(v.fairness.candidate.demographicParityDifference).toBe(1);
    expect(v.fairness.knownGood.demographicParityDifference).toBeLessThan(0.1);
    // 2 false positives among the 19 negatives of "even": the known-good's FPR gap is 0.105.
    expect(v.fairness.knownGood.equalisedOddsDifference).toBeLessThan(0.11);
    const d = await cli('registry', 'deploy', 'breast-cancer', 'unfair', '--reason', 'try');
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(/demographicParityDifference 1\.0000 over parity/);
  }, 180_000);

  it('says which group column is missing', async () => {
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'same',
      '--against',
      'good',
      '--data',
      'bc-eval@holdout',
      '--group',
      'sex',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('REGISTRY_INPUT_INVALID');
    expect(r.stderr).toContain('no group column "sex"');
  }, 180_000);

  it('diffs behaviour on the snapshot beside the weights: decisions that differ and per-class F1', async () => {
    const same = await cli(
      'registry',
      'diff',
      'breast-cancer',
      'good',
      'same',
      '--data',
      'bc-eval@holdout',
    );
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('the two versions hold the same files');
    expect(same.stdout).toMatch(/behaviour on bc-eval@holdout: 0 of 115 decisions differ/);
    // "broken" is served by an upstream that answers one class: no weights to compare here,
    // but its behaviour is.
    const broken = await cli(
      'registry',
      'diff',
      'breast-cancer',
      'good',
      'broken',
      '--data',
      'bc-eval@holdout',
      '--format',
      'json',
    );
    expect(broken.code, broken.stderr).toBe(0);
    const out = JSON.parse(broken.stdout);
    expect(out.weightsSkipped).toMatch(/no local artifacts/);
    expect(out.behaviour.rows).toBe(115);
    expect(out.behaviour.differing.count).toBeGreaterThan(0);
    expect(out.behaviour.differing.rows.every((r: number) => r >= 0 && r < 115)).toBe(true);
    expect(Object.keys(out.behaviour.knownGood.perClass).sort()).toEqual(['0', '1']);
    const bad = await cli('registry', 'diff', 'breast-cancer', 'good', 'same', '--data', 'bc-eval');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--data: expected DATASET@LABEL');
  }, 180_000);

  it('refuses a snapshot whose files changed since registration', async () => {
    writeFileSync(join(t.dir, 'eval', 'holdout.csv'), 'label\n1\n');
    const r = await cli(
      'registry',
      'validate',
      'breast-cancer',
      'same',
      '--against',
      'good',
      '--data',
      'bc-eval@holdout',
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('REGISTRY_ARTIFACT_MISMATCH');
  }, 180_000);
});
