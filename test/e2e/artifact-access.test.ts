import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';
import { eventually } from '../support/respond.js';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

// Issue 20 item 10: real HTTP reads of model files by real user tokens, the audit ledger
// entries they leave, the alerts unusual reads raise, and `aisoc registry pull`.
describe('artifact access audit (real HTTP, real tokens, real CLI)', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const tokens: Record<string, string> = {};
  const dir = () => join(t.dir, 'fraud-1');
  const file = (path: string, token: string) =>
    fetch(
      `${t.aisoc.adminUrl}/api/v1/registry/models/fraud/versions/1/file?path=${encodeURIComponent(path)}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
  const accessAlerts = async () =>
    (
      (await t.admin('/api/v1/alerts?limit=100')).json.alerts as {
        kind: string;
        principal: string | null;
        evidence: Record<string, unknown>;
      }[]
    ).filter((a) => a.kind === 'artifact.access');
  const reads = async () => {
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?from=0&limit=1000');
    return (audit.json.entries as { payload: Record<string, unknown> }[])
      .map((e) => e.payload)
      .filter((p) => p.type === 'registry.artifact.read');
  };

  beforeAll(async () => {
    t = await startTestAisoc({
      registry: { requireSignature: false, artifactAccess: { maxReadsPerHour: 6 } },
    });
    for (const [name, role] of [
      ['rita', 'responder'],
      ['olga', 'approver'],
      ['vera', 'viewer'],
    ] as const) {
      const r = await t.admin('/api/v1/users', { body: { name, role } });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      tokens[name] = r.json.token;
    }
    expect(
      (await t.admin('/api/v1/registry/models', { body: { name: 'fraud', owner: 'ml' } })).status,
    ).toBe(201);
    mkdirSync(join(dir(), 'sub'), { recursive: true });
    writeFileSync(join(dir(), 'model.onnx'), Buffer.alloc(70_000, 7));
    writeFileSync(join(dir(), 'sub', 'config.json'), '{"labels":["ok","fraud"]}');
    const v = await t.admin('/api/v1/registry/models/fraud/versions', {
      body: { version: '1', location: dir() },
    });
    expect(v.status, JSON.stringify(v.json)).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  it('streams a file with its SHA-256 and writes the read, with identity, to the audit ledger', async () => {
    const res = await file('model.onnx', tokens.rita!);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(join(dir(), 'model.onnx')))).toBe(true);
    expect(res.headers.get('x-aisoc-sha256')).toBe(sha256(body));
    const [entry] = await reads();
    expect(entry).toMatchObject({
      actor: 'rita',
      role: 'responder',
      model: 'fraud',
      version: '1',
      file: 'model.onnx',
      bytes: 70_000,
      digest: sha256(body),
      complete: true,
      matchesManifest: true,
    });
    // A responder's first read of a model alerts; an approver's does not.
    const olga = await file('sub/config.json', tokens.olga!);
    expect(olga.status).toBe(200);
    await olga.arrayBuffer();
    const [first] = await eventually(async () => {
      const a = await accessAlerts();
      return a.length ? a : undefined;
    }, 10_000);
    expect(first).toMatchObject({
      principal: 'rita',
      evidence: { reason: 'first read of this model' },
    });
    expect((await accessAlerts()).filter((a) => a.principal === 'olga')).toEqual([]);
  });

  it('refuses a viewer (recorded), path traversal (400) and files not in the manifest (404)', async () => {
    const vera = await file('model.onnx', tokens.vera!);
    expect(vera.status).toBe(403);
    expect(((await vera.json()) as { code: string }).code).toBe('IDENTITY_FORBIDDEN');
    for (const path of ['../../../etc/passwd', 'sub/../model.onnx', '/etc/passwd', 'a\\b']) {
      const r = await file(path, tokens.rita!);
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { code: string }).code).toBe('REGISTRY_ARTIFACT_PATH_INVALID');
    }
    const missing = await file('weights.bin', tokens.rita!);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('REGISTRY_NOT_FOUND');
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?from=0&limit=1000');
    const refused = (audit.json.entries as { payload: Record<string, unknown> }[])
      .map((e) => e.payload)
      .filter((p) => p.type === 'api.call' && p.actor === 'vera');
    expect(refused).toEqual([expect.objectContaining({ status: 403 })]);
  });

  it('alerts once on a burst of reads beyond maxReadsPerHour', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await file('sub/config.json', tokens.rita!);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    const volume = await eventually(async () => {
      const a = (await accessAlerts()).filter((x) => x.evidence.reason === 'volume');
      return a.length ? a : undefined;
    }, 10_000);
    expect(volume).toEqual([
      expect.objectContaining({
        principal: 'rita',
        evidence: expect.objectContaining({ readsLastHour: 7, maxReadsPerHour: 6 }),
      }),
    ]);
  });

  it('pulls a version with the CLI and exits 3 when a file no longer matches its manifest', async () => {
    const tokenFile = join(t.dir, 'olga.token');
    writeFileSync(tokenFile, tokens.olga!);
    const cli = (...args: string[]) =>
      runCli(['--url', t.aisoc.adminUrl, '--token-file', tokenFile, ...args]);
    const out = join(t.dir, 'pulled');
    const ok = await cli('registry', 'pull', 'fraud', '1', '--out', out);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(out, 'sub', 'config.json'), 'utf8')).toBe('{"labels":["ok","fraud"]}');
    expect(readFileSync(join(out, 'model.onnx')).equals(Buffer.alloc(70_000, 7))).toBe(true);

    writeFileSync(join(dir(), 'model.onnx'), Buffer.alloc(70_000, 8)); // swapped on disk
    const bad = await cli('registry', 'pull', 'fraud', '1', '--out', join(t.dir, 'pulled-2'));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('model.onnx: got sha256');
    const swapped = (await reads()).filter((e) => e.actor === 'olga' && e.file === 'model.onnx');
    expect(swapped.at(-1)).toMatchObject({ matchesManifest: false });
  });

  it('ingests S3 server access log lines into the audit ledger as store reads', async () => {
    const owner = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
    const tail = (agent: string) =>
      `"-" "${agent}" - aGVsbG8gaG9zdCBpZA== SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader models.s3.eu-west-1.amazonaws.com TLSv1.2 - -`;
    const lines = [
      `${owner} models [07/Dec/2026:10:00:38 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/mallory 3E57427F3EXAMPLE REST.GET.OBJECT fraud/1/model.onnx "GET /models/fraud/1/model.onnx HTTP/1.1" 200 - 70000 70000 70 10 ${tail('aws-cli/2.15.0')}`,
      `${owner} models [07/Dec/2026:11:30:00 +0130] 192.0.2.9 - 3E57427F3EXAMPLF REST.GET.OBJECT fraud/1/sub/config%20v2.json "GET /models/fraud/1/sub/config%20v2.json HTTP/1.1" 403 AccessDenied 243 - 5 - ${tail('curl/8.5.0')}`,
      `${owner} models [07/Dec/2026:10:02:00 +0000] 192.0.2.4 arn:aws:iam::123456789012:role/ci 3E57427F3EXAMPLG REST.PUT.OBJECT fraud/2/model.onnx "PUT /models/fraud/2/model.onnx HTTP/1.1" 200 - - 70000 90 20 ${tail('aws-sdk-go/1.44')}`,
    ];
    const log = join(t.dir, 's3-access.log');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const cli = (...args: string[]) =>
      runCli(['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile, ...args]);
    const ok = await cli('registry', 'access-log', 'ingest', log, '--format', 's3');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('ingested 2 object read(s)');
    expect(ok.stdout).toContain('skipped 1 other operation(s)');
    await t.aisoc.ledger.flush();
    const audit = await t.admin('/api/v1/ledger/audit/entries?from=0&limit=1000');
    const store = (audit.json.entries as { payload: Record<string, unknown> }[])
      .map((e) => e.payload)
      .filter((p) => p.type === 'registry.artifact.store-read');
    expect(store).toEqual([
      expect.objectContaining({
        actor: 'arn:aws:iam::123456789012:user/mallory',
        bucket: 'models',
        key: 'fraud/1/model.onnx',
        at: '2026-12-07T10:00:38.000Z',
        status: 200,
        bytesSent: 70000,
        userAgent: 'aws-cli/2.15.0',
        ingestedBy: 'admin',
      }),
      expect.objectContaining({
        actor: 'anonymous',
        key: 'fraud/1/sub/config v2.json',
        at: '2026-12-07T10:00:00.000Z',
        status: 403,
        errorCode: 'AccessDenied',
      }),
    ]);

    const bad = join(t.dir, 's3-bad.log');
    writeFileSync(bad, `${lines[0]}\n${lines[0]!.replace('07/Dec/2026:10:00:38', '2026-12-07')}\n`);
    const refused = await cli('registry', 'access-log', 'ingest', bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 2: time');
  });
});
