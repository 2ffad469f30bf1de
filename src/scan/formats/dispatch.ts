import { basename, extname } from 'node:path';
import type { ByteSource } from '../readers/byte-source.js';
import { isTar } from '../readers/tar-reader.js';
import { hasZipTail, isZip } from '../readers/zip-reader.js';
import type { ScanContext } from '../scan-context.js';
import type { ScanFormat } from '../types.js';
import { inflateBounded, isGzip, isZlib } from './compressed.js';
import {
  chatTemplatesOf,
  checkChatTemplate,
  scanTemplateFile,
  TEMPLATE_EXTENSIONS,
} from './chat-template.js';
import { isGguf, scanGguf } from './gguf.js';
import { parseJsonBounded, scanKerasConfig } from './keras-config.js';
import { ScanFormatError } from '../scan-error.js';
import { isHdf5, scanKerasH5 } from './keras-h5.js';
import { isNpy, scanNpy } from './numpy-format.js';
import { scanOnnx } from './onnx.js';
import { isPickleStart, looksLikeTextPickle, scanPickleStream } from './pickle-format.js';
import { looksLikeSafetensors, scanSafetensors } from './safetensors.js';
import { scanTar } from './tar-format.js';
import { scanKerasMetadataPb, scanTfGraphFile } from './tf-savedmodel.js';
import { scanZip } from './zip-format.js';

/** TensorFlow checkpoint shards and fingerprints: raw tensors and hashes, no code. */
const TF_INERT = /(^|\/)(variables\.(index|data-\d+-of-\d+)|fingerprint\.pb)$/;

/** Sniffs the content and runs the matching scanner; a top-level file that also ends like a zip is scanned as one too. */
export function scanAny(ctx: ScanContext, src: ByteSource, name: string): ScanFormat {
  const format = scanOne(ctx, src, name);
  if (ctx.depth === 0 && !ZIP_FORMATS.includes(format) && src.size >= 22 && hasZipTail(src)) {
    scanAppendedZip(ctx, src, name);
  }
  return format;
}

const ZIP_FORMATS: ScanFormat[] = ['zip', 'pytorch-zip', 'keras-zip', 'npz', 'tar', 'tar.gz'];

/**
 * A file that is both X and a zip (a zip glued after it) is a polyglot: torch and numpy look
 * at the first bytes, Python's zipfile (Keras .keras) at the last ones, so each loader sees
 * different content. Tails that do not parse as a zip are random bytes and ignored.
 */
function scanAppendedZip(ctx: ScanContext, src: ByteSource, name: string): void {
  const before = ctx.findings.length;
  try {
    scanZip(ctx.child('appended-zip'), src, name, scanAny);
  } catch {
    ctx.findings.length = before;
    return;
  }
  ctx.add(
    'high',
    'format.polyglot',
    'the file is also a zip archive: loaders that open it as a zip see other content',
  );
}

function scanOne(ctx: ScanContext, src: ByteSource, name: string): ScanFormat {
  const head = src.read(0, Math.min(src.size, 16));
  const base = basename(name);
  const ext = extname(base).toLowerCase();
  const run = (format: ScanFormat, fn: () => ScanFormat | void): ScanFormat => {
    if (ctx.depth === 0) ctx.noteFormat(format);
    return fn() ?? format;
  };
  if (isZip(head)) return run('zip', () => scanZip(ctx, src, name, scanAny));
  if (isPickleStart(head)) return run('pickle', () => scanPickleStream(ctx, src, name, scanAny));
  if (isNpy(head)) return run('numpy', () => scanNpy(ctx, src, scanAny));
  if (isGguf(head)) return run('gguf', () => scanGguf(ctx, src));
  if (isHdf5(src)) return run('keras-h5', () => scanKerasH5(ctx, src));
  if (looksLikeSafetensors(src) || ext === '.safetensors')
    return run('safetensors', () => scanSafetensors(ctx, src));
  if (isTar(src)) return run('tar', () => scanTar(ctx, src, scanAny));
  if (isGzip(head) || (isZlib(head) && /\.(joblib|pkl|gz|z)$/i.test(base))) {
    const inner = inflateBounded(ctx, src, isGzip(head));
    const format = scanAny(
      ctx.child(`${base}:decompressed`),
      inner,
      base.replace(/\.(gz|z)$/i, ''),
    );
    return format === 'tar' ? 'tar.gz' : format;
  }
  if (base === 'saved_model.pb') return run('tf-savedmodel', () => scanTfGraphFile(ctx, src, true));
  if (base === 'keras_metadata.pb')
    return run('tf-savedmodel', () => scanKerasMetadataPb(ctx, src));
  if (ext === '.onnx') return run('onnx', () => scanOnnx(ctx, src));
  if (TF_INERT.test(name)) return 'inert';
  if (ext === '.pb') return run('tf-savedmodel', () => scanTfGraphFile(ctx, src, false));
  if (looksLikeTextPickle(head, base))
    return run('pickle', () => scanPickleStream(ctx, src, name, scanAny));
  if (ext === '.json' && src.size <= ctx.limits.maxMemberBytes) return scanJson(ctx, src);
  if (TEMPLATE_EXTENSIONS.includes(ext) && src.size <= ctx.limits.maxMemberBytes)
    return run('chat-template', () => scanTemplateFile(ctx, src, base));
  if (ctx.policy.inertExtensions.includes(ext) || ctx.policy.inertExtensions.includes(base))
    return 'inert';
  ctx.add(
    'medium',
    'format.unknown',
    `unrecognised format (${ext === '' ? 'no extension' : ext}): not verified`,
  );
  return 'unknown';
}

/** A JSON file is inert unless it is a Keras model config (keys compared after JSON decoding). */
function scanJson(ctx: ScanContext, src: ByteSource): ScanFormat {
  let parsed: unknown;
  try {
    parsed = parseJsonBounded(Buffer.from(src.read(0, src.size)).toString('utf8'));
  } catch (error) {
    if (error instanceof ScanFormatError && error.message.startsWith('JSON nested')) throw error;
    return 'inert';
  }
  const templates = chatTemplatesOf(parsed);
  for (const t of templates) checkChatTemplate(ctx, t.where, t.template);
  if (templates.length > 0) return 'chat-template';
  if (!JSON.stringify(parsed).includes('"class_name"')) return 'inert';
  scanKerasConfig(ctx, parsed);
  return 'keras-config';
}
