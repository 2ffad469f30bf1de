import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { scan, scanPaths } from '../src/scan/index.js';

const MB = 1024 * 1024;
const TENSOR_BYTES = 4 * MB;
const TENSORS = 50; // 200 MB of weights per large file
const TREE_FILES = 2000;
const HEADER_TENSORS = 40_000; // a ~4 MB safetensors header
// Works from bench/ (tsx) and from dist/bench/ (npm run bench).
const fixtures = [
  join(import.meta.dirname, '..', 'test'),
  join(import.meta.dirname, '..', '..', 'test'),
]
  .map((t) => join(t, 'fixtures', 'scan'))
  .find((p) => existsSync(p)) as string;

async function writeChunks(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const out = createWriteStream(path);
  for (const c of chunks)
    if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

function* safetensorsChunks(): Generator<Uint8Array> {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < TENSORS; i++) {
    header[`layer.${i}.weight`] = {
      dtype: 'F32',
      shape: [1024, 1024],
      data_offsets: [i * TENSOR_BYTES, (i + 1) * TENSOR_BYTES],
    };
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  yield len;
  yield json;
  const block = Buffer.alloc(TENSOR_BYTES, 1);
  for (let i = 0; i < TENSORS; i++) yield block;
}

/** A torch.save-style data.pkl: OrderedDict of _rebuild_tensor_v2 calls on persistent storages (protocol 2). */
function torchPickle(): Buffer {
  const s = (t: string) => {
    const b = Buffer.from(t);
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    return Buffer.concat([h, b]);
  };
  const j = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return b;
  };
  const parts: Buffer[] = [Buffer.from('\x80\x02ccollections\nOrderedDict\n)R(', 'latin1')];
  const numel = TENSOR_BYTES / 4;
  for (let i = 0; i < TENSORS; i++) {
    parts.push(
      s(`layer.${i}.weight`),
      Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n((', 'latin1'),
    );
    parts.push(
      s('storage'),
      Buffer.from('ctorch\nFloatStorage\n', 'latin1'),
      s(String(i)),
      s('cpu'),
      j(numel),
    );
    parts.push(
      Buffer.from('tQK\x00(', 'latin1'),
      j(1024),
      j(1024),
      Buffer.from('t(', 'latin1'),
      j(1024),
    );
    parts.push(Buffer.from('K\x01t\x89ccollections\nOrderedDict\n)RtR', 'latin1'));
  }
  parts.push(Buffer.from('u.', 'latin1'));
  return Buffer.concat(parts);
}

/** A stored (uncompressed) zip of the given members; `undefined` bodies are TENSOR_BYTES storages. */
function* storedZipChunks(members: [string, Buffer | undefined][]): Generator<Uint8Array> {
  const block = Buffer.alloc(TENSOR_BYTES, 1);
  const blockCrc = crc32(block);
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, body] of members) {
    const n = Buffer.from(name);
    const size = body?.length ?? TENSOR_BYTES;
    const crc = body === undefined ? blockCrc : crc32(body);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(size, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(size, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, n);
    yield lh;
    yield n;
    yield body ?? block;
    offset += 30 + n.length + size;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  yield cd;
  yield eocd;
}

/** A zip laid out like torch.save's archive/ folder: data.pkl and TENSORS storages. */
function torchZipChunks(): Generator<Uint8Array> {
  const members: [string, Buffer | undefined][] = [
    ['archive/data.pkl', torchPickle()],
    ['archive/version', Buffer.from('3\n')],
  ];
  for (let i = 0; i < TENSORS; i++) members.push([`archive/data/${i}`, undefined]);
  return storedZipChunks(members);
}

/** A safetensors header the size of a large LLM shard's: HEADER_TENSORS small tensors. */
function* bigHeaderSafetensorsChunks(): Generator<Uint8Array> {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < HEADER_TENSORS; i++) {
    header[`model.layers.${i >> 4}.mlp.experts.${i & 15}.weight`] = {
      dtype: 'F32',
      shape: [1],
      data_offsets: [i * 4, i * 4 + 4],
    };
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  yield len;
  yield json;
  yield Buffer.alloc(HEADER_TENSORS * 4, 1);
}

/** TorchScript source as torch.jit.script prints it, repeated to about 4 MB in one code/ file. */
function torchScriptSource(): Buffer {
  const method = (i: number) =>
    `  def forward_${i}(self: __torch__.Net,\n    x: Tensor) -> Tensor:\n` +
    `    _0 = getattr(self, "0")\n    y = torch.relu((_0).forward(x, ))\n` +
    `    if bool(torch.gt(torch.sum(y), 0)):\n      y0 = torch.mul(y, self.scale)\n    else:\n      y0 = y\n` +
    `    out = annotate(List[Tensor], [])\n    for i in range(2):\n      _1 = torch.append(out, torch.add(y0, i))\n` +
    `    ops.prim.RaiseException("builtins.RuntimeError: os.system", "builtins.RuntimeError")\n` +
    `    return ops.quantized.linear_dynamic(torch.cat(out), self._packed_params)\n`;
  const parts = ['class Net(Module):\n  __parameters__ = []\n  training : bool\n'];
  for (let i = 0; 4 * MB > parts.length * 600; i++) parts.push(method(i));
  return Buffer.from(parts.join(''));
}

async function buildTree(root: string): Promise<number> {
  const names = [
    'pickle-benign-p2.pkl',
    'pickle-benign-p4.pkl',
    'torch-zip-benign.pt',
    'torch-state-dict-benign.pth',
    'numpy-benign.npy',
    'sklearn-logreg.joblib',
    'pickle-os-system-p0.pkl',
    'torch-legacy-benign.pt',
  ];
  const bodies = await Promise.all(names.map((n) => readFile(join(fixtures, n))));
  let bytes = 0;
  for (let i = 0; i < TREE_FILES; i++) {
    const dir = join(root, `shard-${i % 20}`);
    if (i < 20) await mkdir(dir, { recursive: true });
    const k = i % names.length;
    const body = bodies[k] as Buffer;
    bytes += body.length;
    await writeFile(join(dir, `${i}-${names[k]}`), body);
  }
  return bytes;
}

async function best<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let out: { ms: number; value: T } | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    if (out === undefined || ms < out.ms) out = { ms, value };
  }
  return out as { ms: number; value: T };
}

/** Best of three wall-clock runs of a Python command with PYTHONPATH set, or undefined if it fails. */
function timePython(args: string[], pythonPath: string): number | undefined {
  const env = { ...process.env, PYTHONPATH: pythonPath };
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync('python3', args, { env, encoding: 'utf8' });
    if (r.error !== undefined || (r.status !== 0 && r.status !== 1)) return undefined;
    runs.push(performance.now() - t0);
  }
  return Math.min(...runs);
}

/**
 * picklescan (Python) on the same path, when AISOC_BENCH_PICKLESCAN_PYTHONPATH points at its
 * src/ folder: wall time of the CLI and, separately, of its interpreter start-up + import.
 */
function picklescan(path: string): { total: number; startup: number } | undefined {
  const pythonPath = process.env.AISOC_BENCH_PICKLESCAN_PYTHONPATH;
  if (pythonPath === undefined) return undefined;
  const total = timePython(['-m', 'picklescan', '--path', path], pythonPath);
  const startup = timePython(['-c', 'import picklescan.cli'], pythonPath);
  return total === undefined || startup === undefined ? undefined : { total, startup };
}

function compare(
  label: string,
  oursMs: number,
  theirs: ReturnType<typeof picklescan>,
  work: number,
  unit: string,
): void {
  const ours = `${label.padEnd(16)} ours ${oursMs.toFixed(1).padStart(7)} ms = ${(work / (oursMs / 1000)).toFixed(0).padStart(8)} ${unit}`;
  if (theirs === undefined) {
    console.log(`  ${ours}   picklescan: not run (set AISOC_BENCH_PICKLESCAN_PYTHONPATH)`);
    return;
  }
  const net = theirs.total - theirs.startup;
  const ratio =
    net > 1
      ? `, net of start-up ${(work / (net / 1000)).toFixed(0)} ${unit} → ours ×${(net / oursMs).toFixed(1)}`
      : ', net of start-up below noise';
  console.log(
    `  ${ours}   picklescan ${theirs.total.toFixed(1)} ms incl. ${theirs.startup.toFixed(1)} ms start-up${ratio}`,
  );
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-bench-scan-'));
  try {
    const st = join(dir, 'big.safetensors');
    const pt = join(dir, 'big.pt');
    await writeChunks(st, safetensorsChunks());
    await writeChunks(pt, torchZipChunks());
    const stHeader = join(dir, 'header.safetensors');
    await writeChunks(stHeader, bigHeaderSafetensorsChunks());
    const ts = join(dir, 'script.pt');
    const code = torchScriptSource();
    const tsMembers: [string, Buffer][] = [
      ['archive/data.pkl', Buffer.from('\x80\x02c__torch__\nNet\n)\x81}b.', 'latin1')],
      ['archive/code/__torch__.py', code],
      ['archive/constants.pkl', Buffer.from('\x80\x02).', 'latin1')],
    ];
    await writeChunks(ts, storedZipChunks(tsMembers));
    const tree = join(dir, 'tree');
    await buildTree(tree);
    const stBytes = (await stat(st)).size;
    const ptBytes = (await stat(pt)).size;
    const a = await best(5, () => scan(st));
    const b = await best(5, () => scan(pt));
    const c = await best(5, () => scanPaths([tree]));
    const d = await best(5, () => scan(stHeader));
    const e = await best(5, () => scan(ts));
    const verdicts = [a, b, d, e].map((r) => r.value.verdict);
    if (verdicts.some((v) => v !== 'safe')) throw new Error(`bench files not safe: ${verdicts}`);
    console.log(
      `scan (best of runs; ${(stBytes / MB).toFixed(0)} MB safetensors, ${(ptBytes / MB).toFixed(0)} MB torch zip, ${TREE_FILES} small files)`,
    );
    compare('safetensors', a.ms, undefined, stBytes / MB, 'MB/s');
    console.log('    (picklescan does not read safetensors)');
    compare('pytorch zip', b.ms, picklescan(pt), ptBytes / MB, 'MB/s');
    compare('small-file tree', c.ms, picklescan(tree), TREE_FILES, 'files/s');
    const headerMb = (await stat(stHeader)).size / MB;
    console.log(
      `  safetensors header ${d.ms.toFixed(1).padStart(7)} ms = ${(headerMb / (d.ms / 1000)).toFixed(0).padStart(5)} MB/s (${HEADER_TENSORS} tensors, ${headerMb.toFixed(1)} MB header)`,
    );
    console.log(
      `  torchscript code   ${e.ms.toFixed(1).padStart(7)} ms = ${(code.length / MB / (e.ms / 1000)).toFixed(1).padStart(5)} MB/s of code/ source (${(code.length / MB).toFixed(1)} MB)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
