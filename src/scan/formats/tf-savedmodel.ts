import { type ProtoField, protoFields, protoString } from '../readers/proto-reader.js';
import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { scanKerasConfigText } from './keras-config.js';

/** Scans saved_model.pb (SavedModel → MetaGraphDef → GraphDef) or a frozen GraphDef .pb for risky ops. */
export function scanTfGraphFile(ctx: ScanContext, src: ByteSource, isSavedModel: boolean): void {
  const whole: ProtoField = { field: 0, wire: 2, start: 0, length: src.size, varint: 0 };
  if (!isSavedModel) return scanGraphDef(ctx, src, whole);
  for (const f of protoFields(src, 0, src.size)) {
    if (f.field !== 2 || f.wire !== 2) continue;
    for (const m of protoFields(src, f.start, f.start + f.length)) {
      if (m.field === 2 && m.wire === 2) scanGraphDef(ctx, src, m);
    }
  }
}

function scanGraphDef(ctx: ScanContext, src: ByteSource, g: ProtoField): void {
  for (const f of protoFields(src, g.start, g.start + g.length)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) scanNodeDef(ctx, src, f, undefined);
    else if (f.field === 2) scanLibrary(ctx, src, f);
  }
}

function scanLibrary(ctx: ScanContext, src: ByteSource, lib: ProtoField): void {
  for (const fn of protoFields(src, lib.start, lib.start + lib.length)) {
    if (fn.field !== 1 || fn.wire !== 2) continue;
    let name: string | undefined;
    for (const f of protoFields(src, fn.start, fn.start + fn.length)) {
      if (f.field === 1 && f.wire === 2) name = opDefName(src, f);
      else if (f.field === 3 && f.wire === 2) scanNodeDef(ctx, src, f, name);
    }
    ctx.checkTime();
  }
}

function opDefName(src: ByteSource, sig: ProtoField): string | undefined {
  for (const f of protoFields(src, sig.start, sig.start + sig.length))
    if (f.field === 1 && f.wire === 2) return protoString(src, f, 256);
  return undefined;
}

function scanNodeDef(
  ctx: ScanContext,
  src: ByteSource,
  node: ProtoField,
  fn: string | undefined,
): void {
  let name = '';
  let op = '';
  for (const f of protoFields(src, node.start, node.start + node.length)) {
    if (f.field === 1 && f.wire === 2) name = protoString(src, f, 512);
    else if (f.field === 2 && f.wire === 2) op = protoString(src, f, 256);
  }
  const where = fn === undefined ? `node "${name}"` : `node "${name}" in function ${fn}`;
  const tf = ctx.policy.tensorflow;
  if (tf.maliciousOps.includes(op)) {
    ctx.add('critical', 'tf.op.dangerous', `${where} runs ${op}, a file-system or Python op`, {
      op,
      layer: name,
    });
  } else if (tf.suspiciousOps.includes(op)) {
    ctx.add('medium', 'tf.op.suspicious', `${where} runs ${op}`, { op, layer: name });
  }
}

/** keras_metadata.pb holds each Keras layer's JSON config as a string field (SavedMetadata). */
export function scanKerasMetadataPb(ctx: ScanContext, src: ByteSource): void {
  for (const node of protoFields(src, 0, src.size)) {
    if (node.field !== 1 || node.wire !== 2) continue;
    for (const f of protoFields(src, node.start, node.start + node.length)) {
      if (f.wire !== 2 || f.length === 0 || src.read(f.start, 1)[0] !== 0x7b) continue;
      // Parsed whatever its keys look like: JSON \u escapes must not hide a Lambda layer.
      scanKerasConfigText(ctx, protoString(src, f, ctx.limits.maxMemberBytes));
    }
  }
}
