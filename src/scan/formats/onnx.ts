import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type ProtoField, protoFields, protoString } from '../readers/proto-reader.js';
import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanLimitError } from '../scan-error.js';

const MAX_GRAPH_DEPTH = 32;

/** Functions the model defines itself: their domains and `domain::name`s. */
type Local = ReadonlySet<string>;

/** Walks an ONNX ModelProto (onnx/onnx.proto3): opsets, nodes, subgraphs, initializers' external data. */
export function scanOnnx(ctx: ScanContext, src: ByteSource): void {
  let sawGraph = false;
  const local = localFunctions(src);
  for (const f of protoFields(src, 0, src.size)) {
    if (f.field === 8 && f.wire === 2) checkOpset(ctx, src, f, local);
    else if (f.field === 7 && f.wire === 2) {
      sawGraph = true;
      scanGraph(ctx, src, f, 0, local);
    } else if (f.field === 25 && f.wire === 2) scanFunction(ctx, src, f, local);
  }
  if (!sawGraph) ctx.add('medium', 'onnx.no-graph', 'ONNX model has no graph (not an ONNX file?)');
}

/**
 * The model's own functions (ModelProto.functions): a node naming one by domain and name runs
 * that function's ONNX body, which is scanned, not a native library. Holds each function's
 * domain (for opset imports) and `domain::name` (for nodes: any other op in that domain
 * still resolves to a registered custom op).
 */
function localFunctions(src: ByteSource): Set<string> {
  const local = new Set<string>();
  for (const f of protoFields(src, 0, src.size)) {
    if (f.field !== 25 || f.wire !== 2) continue;
    let name = '';
    let domain = '';
    for (const g of protoFields(src, f.start, f.start + f.length)) {
      if (g.field === 1 && g.wire === 2) name = protoString(src, g, 256);
      else if (g.field === 10 && g.wire === 2) domain = protoString(src, g, 256);
    }
    local.add(domain).add(`${domain}::${name}`);
  }
  return local;
}

function checkOpset(ctx: ScanContext, src: ByteSource, msg: ProtoField, local: Local): void {
  for (const f of protoFields(src, msg.start, msg.start + msg.length)) {
    if (f.field === 1 && f.wire === 2) checkDomain(ctx, protoString(src, f, 256), undefined, local);
  }
}

function checkDomain(ctx: ScanContext, domain: string, op: string | undefined, local: Local): void {
  if (ctx.policy.onnx.knownDomains.includes(domain)) return;
  if (local.has(op === undefined ? domain : `${domain}::${op}`)) return;
  const what = op === undefined ? `opset domain "${domain}"` : `operator ${domain}::${op}`;
  ctx.add(
    'medium',
    'onnx.custom-domain',
    `${what} is not a known domain: it needs a custom-op library (native code)`,
    op === undefined ? {} : { op },
  );
}

function scanGraph(
  ctx: ScanContext,
  src: ByteSource,
  msg: ProtoField,
  depth: number,
  local: Local,
): void {
  if (depth > MAX_GRAPH_DEPTH)
    throw new ScanLimitError(`ONNX subgraphs nested deeper than ${MAX_GRAPH_DEPTH}`);
  ctx.checkTime();
  for (const f of protoFields(src, msg.start, msg.start + msg.length)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) scanNode(ctx, src, f, depth, local);
    else if (f.field === 5) scanTensor(ctx, src, f);
    else if (f.field === 15)
      for (const s of protoFields(src, f.start, f.start + f.length))
        if (s.field === 1 && s.wire === 2) scanTensor(ctx, src, s);
  }
}

function scanFunction(ctx: ScanContext, src: ByteSource, msg: ProtoField, local: Local): void {
  for (const f of protoFields(src, msg.start, msg.start + msg.length)) {
    if (f.field === 7 && f.wire === 2) scanNode(ctx, src, f, 1, local);
  }
}

function scanNode(
  ctx: ScanContext,
  src: ByteSource,
  msg: ProtoField,
  depth: number,
  local: Local,
): void {
  let op = '';
  let domain = '';
  const attrs: ProtoField[] = [];
  for (const f of protoFields(src, msg.start, msg.start + msg.length)) {
    if (f.wire !== 2) continue;
    if (f.field === 4) op = protoString(src, f, 256);
    else if (f.field === 7) domain = protoString(src, f, 256);
    else if (f.field === 5) attrs.push(f);
  }
  checkDomain(ctx, domain, op, local);
  for (const a of attrs) {
    for (const f of protoFields(src, a.start, a.start + a.length)) {
      if (f.wire !== 2) continue;
      if (f.field === 6 || f.field === 11) scanGraph(ctx, src, f, depth + 1, local);
      else if (f.field === 5 || f.field === 10) scanTensor(ctx, src, f);
    }
  }
}

function scanTensor(ctx: ScanContext, src: ByteSource, msg: ProtoField): void {
  let name = '';
  const external: ProtoField[] = [];
  for (const f of protoFields(src, msg.start, msg.start + msg.length)) {
    if (f.field === 8 && f.wire === 2) name = protoString(src, f, 256);
    else if (f.field === 13 && f.wire === 2) external.push(f);
  }
  for (const e of external) {
    let key = '';
    let value = '';
    for (const f of protoFields(src, e.start, e.start + e.length)) {
      if (f.field === 1 && f.wire === 2) key = protoString(src, f, 256);
      else if (f.field === 2 && f.wire === 2) value = protoString(src, f, 4096);
    }
    if (key === 'location') checkExternalPath(ctx, name, value);
  }
}

/** External data must stay inside the model's folder (onnx/external_data_helper.py checks the same). */
function checkExternalPath(ctx: ScanContext, tensor: string, location: string): void {
  const where = { layer: tensor };
  if (isAbsolute(location) || /^[a-zA-Z]:|^[\\/]/.test(location) || location.includes('\0')) {
    ctx.add(
      'critical',
      'onnx.external-data-escape',
      `tensor "${tensor}" reads external data from absolute path "${location}"`,
      where,
    );
    return;
  }
  const parts = location.split(/[\\/]+/);
  let depth = 0;
  for (const p of parts) {
    depth += p === '..' ? -1 : p === '.' || p === '' ? 0 : 1;
    if (depth < 0) {
      ctx.add(
        'critical',
        'onnx.external-data-escape',
        `tensor "${tensor}" reads external data from "${location}", outside the model folder`,
        where,
      );
      return;
    }
  }
  const base = ctx.baseDir;
  if (base === undefined || ctx.depth > 0) return; // inside an archive there is no folder to check
  const target = resolve(base, location);
  if (!existsSync(target)) {
    ctx.add(
      'low',
      'onnx.external-data-missing',
      `tensor "${tensor}" external data "${location}" does not exist`,
      where,
    );
    return;
  }
  const real = realpathSync(target);
  const rel = relative(realpathSync(base), real);
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    ctx.add(
      'critical',
      'onnx.external-data-escape',
      `tensor "${tensor}" external data "${location}" is a symlink to ${real}, outside the model folder`,
      where,
    );
  }
}
