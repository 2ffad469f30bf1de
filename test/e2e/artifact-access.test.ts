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
});
