import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, scanPaths } from './index.js';

const fixtures = join(import.meta.dirname, '../../test/fixtures/scan');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aisoc-scan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A minimal zip writer: one entry per item, with a declared size that may lie. */
function makeZip(
  items: { name: string; data: Uint8Array; deflate?: boolean; declared?: number }[],
): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const it of items) {
    const body = Buffer.from(it.deflate === true ? deflateRawSync(it.data) : it.data);
    const name = Buffer.from(it.name);
    const size = it.declared ?? it.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(it.deflate === true ? 8 : 0, 8);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(it.deflate === true ? 8 : 0, 10);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(items.length, 8);
  eocd.writeUInt16LE(items.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const rules = (r: { findings: { rule: string }[] }) => r.findings.map((f) => f.rule);

describe('scan() on hostile input', () => {
  it('stops a deeply nested pickle at the stack bound with an error verdict', async () => {
    const r = await scan(Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(1_100_000, 0x28)]));
    expect(r.verdict).toBe('error');
    expect(rules(r)).toContain('scan.limit-exceeded');
  });

  it('stops a huge pickle at the opcode budget', async () => {
    const body = Buffer.from('N0'.repeat(50_000) + '.', 'latin1');
    const r = await scan(Buffer.concat([Buffer.from([0x80, 2]), body]), {
      limits: { maxPickleOps: 10_000 },
    });
    expect(r.verdict).toBe('error');
    expect(r.findings[0]?.message).toMatch(/more than 10000 pickle opcodes/);
  });

  it('stops at the time budget instead of hanging', async () => {
    const body = Buffer.from('N0'.repeat(600_000) + '.', 'latin1');
    const r = await scan(Buffer.concat([Buffer.from([0x80, 2]), body]), {
      limits: { timeBudgetMs: 0 },
    });
    expect(r.findings.map((f) => f.message).join()).toMatch(/time budget/);
  });

  it('refuses a zip member that inflates beyond its declared size', async () => {
    const zip = makeZip([
      { name: 'archive/data.pkl', data: new Uint8Array(4 << 20), deflate: true, declared: 100 },
    ]);
    const r = await scan(zip, { name: 'lying.pt' });
    expect(r.verdict).toBe('error');
    expect(r.findings[0]?.message).toMatch(/inflates beyond its declared 100 bytes/);
  });

  it('bounds the nesting of archives inside archives', async () => {
    let inner: Uint8Array = await readFile(join(fixtures, 'pickle-benign-p2.pkl'));
    let name = 'x.pkl';
    for (let i = 0; i < 12; i++) {
      inner = makeZip([{ name, data: inner }]);
      name = `level${i}.zip`;
    }
    const r = await scan(inner);
    expect(r.verdict).toBe('error');
    expect(r.findings[0]?.message).toMatch(/nesting deeper than 8/);
  });

  it('flags zip members whose names escape the extraction folder', async () => {
    const pkl = await readFile(join(fixtures, 'pickle-benign-p2.pkl'));
    const r = await scan(makeZip([{ name: '../../etc/cron.d/x.pkl', data: pkl }]));
    expect(r.verdict).toBe('malicious');
    expect(rules(r)).toContain('archive.path-traversal');
  });

  it('scans a pickle hidden in a protocol-2 BINSTRING', async () => {
    const inner = await readFile(join(fixtures, 'pickle-posix-system-p2.pkl'));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(inner.length);
    const outer = Buffer.concat([
      Buffer.from([0x80, 2, 0x54]),
      len,
      inner,
      Buffer.from([0x85, 0x2e]),
    ]);
    const r = await scan(outer);
    expect(r.verdict).toBe('malicious');
    expect(r.findings[0]?.location.member).toBe('bytes@7');
  });

  it('reports an empty file and a folder given to scan() as errors', async () => {
    await writeFile(join(tmp, 'empty.pt'), '');
    expect((await scan(join(tmp, 'empty.pt'))).verdict).toBe('error');
    expect(rules(await scan(tmp))).toEqual(['path.unreadable']);
  });

  it('refuses JSON nested 200,000 levels deep with a format error, not a stack overflow', async () => {
    const deep = `{"class_name":"X","config":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const h5 = Buffer.concat([
      Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('\0model_config\0'),
      Buffer.from(deep),
    ]);
    for (const [bytes, name] of [
      [Buffer.from(deep), 'config.json'],
      [h5, 'model.h5'],
    ] as const) {
      const r = await scan(bytes, { name });
      expect(r.findings).toEqual([
        expect.objectContaining({
          rule: 'scan.format-invalid',
          message: 'JSON nested deeper than 512 levels',
        }),
      ]);
    }
  });

  it('catches a Lambda layer hidden in a keras_metadata.pb string field', async () => {
    const json = Buffer.from(
      JSON.stringify({ class_name: 'Lambda', config: { name: 'l', function: 'x' } }),
    );
    const field = Buffer.concat([Buffer.from([0x2a, json.length]), json]);
    const node = Buffer.concat([Buffer.from([0x0a, field.length]), field]);
    const r = await scan(node, { name: 'keras_metadata.pb' });
    expect(rules(r)).toContain('keras.lambda-layer');
  });
});

describe('scan() on large files', () => {
  it('reads only the header of a 6 GB (sparse) safetensors file', async () => {
    const tensorBytes = 6 * 1024 ** 3;
    const header = Buffer.from(
      JSON.stringify({ w: { dtype: 'U8', shape: [tensorBytes], data_offsets: [0, tensorBytes] } }),
    );
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const file = join(tmp, 'huge.safetensors');
    await writeFile(file, Buffer.concat([len, header]));
    await truncate(file, 8 + header.length + tensorBytes);
    const before = process.memoryUsage().rss;
    const r = await scan(file);
    expect(r).toMatchObject({
      verdict: 'safe',
      format: 'safetensors',
      bytes: 8 + header.length + tensorBytes,
    });
    expect(r.durationMs).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('scanPaths() over folders', () => {
  it('flags a symlink that leaves the tree and does not follow it', async () => {
    const root = join(tmp, 'model');
    await mkdir(root, { recursive: true });
    await copyFile(join(fixtures, 'torch-zip-benign.pt'), join(root, 'model.pt'));
    await symlink('/etc/passwd', join(root, 'tokenizer.json'));
    await symlink(join(root, 'model.pt'), join(root, 'alias.pt'));
    const results = await scanPaths([root]);
    const byName = Object.fromEntries(results.map((r) => [r.path.slice(root.length + 1), r]));
    expect(byName['tokenizer.json']).toMatchObject({ verdict: 'malicious' });
    expect(byName['tokenizer.json']?.findings[0]?.rule).toBe('path.symlink-escape');
    expect(byName['model.pt']?.verdict).toBe('safe');
    expect(Object.keys(byName)).toHaveLength(2);
  });

  it('reports a FIFO in a tree without blocking on it', async () => {
    const root = join(tmp, 'fifo');
    await mkdir(root, { recursive: true });
    execFileSync('mkfifo', [join(root, 'pipe.pt')]);
    const results = await scanPaths([root]);
    expect(results).toMatchObject([
      { verdict: 'suspicious', findings: [{ rule: 'path.special-file' }] },
    ]);
    expect((await scan(join(root, 'pipe.pt'))).findings[0]?.rule).toBe('path.unreadable');
  });

  it('flags ONNX external data that is a symlink out of the model folder', async () => {
    const root = join(tmp, 'onnx');
    await mkdir(root, { recursive: true });
    const bytes = await readFile(join(fixtures, 'onnx-external-absolute.onnx'));
    await writeFile(
      join(root, 'model.onnx'),
      Buffer.from(bytes.toString('latin1').replace('/etc/passwd', 'weights.bin'), 'latin1'),
    );
    await symlink('/etc/hostname', join(root, 'weights.bin'));
    const r = await scan(join(root, 'model.onnx'));
    expect(r.verdict).toBe('malicious');
    expect(r.findings[0]?.message).toMatch(/symlink to/);
  });

  it('walks the fixture tree, reports progress and one result per file', async () => {
    const seen: number[] = [];
    const results = await scanPaths([fixtures, join(tmp, 'missing.pt')], {
      onProgress: (done) => seen.push(done),
    });
    expect(results.length).toBeGreaterThan(60);
    expect(seen).toEqual(results.map((_, i) => i + 1));
    expect(results[results.length - 1]).toMatchObject({
      verdict: 'error',
      findings: [{ rule: 'path.unreadable' }],
    });
  });
});
