import {
  readZipEntries,
  checkZipStructure,
  readZipMember,
  readZipMemberHead,
  type ZipEntry,
} from '../readers/zip-reader.js';
import type { ByteSource } from '../readers/byte-source.js';
import { ScanLimitError } from '../scan-error.js';
import type { ScanContext } from '../scan-context.js';
import type { ScanFormat } from '../types.js';
import type { Dispatch } from './dispatch-type.js';
import { checkNpySize, isNpy, parseNpyHeader, scanNpy } from './numpy-format.js';
import { scanKerasConfigText } from './keras-config.js';
import { scanTorchScriptSource } from './torchscript.js';

type ZipKind = 'pytorch-zip' | 'keras-zip' | 'npz' | 'zip';

function kindOf(entries: ZipEntry[], name: string): ZipKind {
  const names = entries.map((e) => e.name);
  if (
    names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl') || n.endsWith('/constants.pkl'))
  )
    return 'pytorch-zip';
  if (
    names.includes('config.json') &&
    (names.includes('model.weights.h5') || /\.keras$/i.test(name))
  )
    return 'keras-zip';
  if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return 'npz';
  return 'zip';
}

/** Torch zip members that are raw storages or bookkeeping, never code. */
const TORCH_INERT =
  /(^|\/)(data\/\d+|version|\.data\/version|byteorder|\.data\/serialization_id|\.format_version|\.storage_alignment)$/;

/** TorchScript source; its `.debug_pkl` and `constants.pkl` siblings are pickles, scanned as such. */
const TORCH_CODE = /(^|\/)code\/.*\.py$/;

/** Scans a zip: structure first (bombs, overlaps, traversal), then each member by kind. */
export function scanZip(
  ctx: ScanContext,
  src: ByteSource,
  name: string,
  dispatch: Dispatch,
): ScanFormat {
  const entries = readZipEntries(src, ctx.limits.maxArchiveEntries);
  checkZipStructure(ctx, src, entries);
  const kind = kindOf(entries, name);
  const code = entries.filter((e) => TORCH_CODE.test(e.name)).length;
  if (kind === 'pytorch-zip' && code > 0) {
    ctx.add(
      'low',
      'pytorch.torchscript',
      `TorchScript archive: ${code} code/ source files are compiled and run on load (analysed)`,
    );
  }
  for (const e of entries) {
    ctx.checkTime();
    if (e.name.endsWith('/') || e.isSymlink) continue;
    scanMember(ctx, src, e, kind, dispatch);
  }
  return kind;
}

function scanMember(
  ctx: ScanContext,
  src: ByteSource,
  e: ZipEntry,
  kind: ZipKind,
  dispatch: Dispatch,
): void {
  if (kind === 'pytorch-zip') {
    if (TORCH_INERT.test(e.name)) return;
    if (TORCH_CODE.test(e.name)) return scanTorchScriptMember(ctx, src, e);
  }
  if (kind === 'npz' || (e.name.endsWith('.npy') && kind === 'zip'))
    return scanNpzMember(ctx, src, e, dispatch);
  if (kind === 'keras-zip' && e.name === 'config.json') {
    const text = Buffer.from(readZipMember(ctx, src, e).read(0, e.size)).toString('utf8');
    scanKerasConfigText(ctx.child(e.name), text);
    return;
  }
  if (kind === 'keras-zip' && e.name === 'metadata.json') return;
  dispatch(ctx.child(e.name), readZipMember(ctx, src, e), e.name);
}

function scanTorchScriptMember(ctx: ScanContext, src: ByteSource, e: ZipEntry): void {
  const member = readZipMember(ctx, src, e);
  if (member.size > ctx.limits.maxMemberBytes)
    throw new ScanLimitError(
      `TorchScript source "${e.name}" is larger than ${ctx.limits.maxMemberBytes} bytes`,
    );
  const text = Buffer.from(member.read(0, member.size)).toString('utf8');
  scanTorchScriptSource(ctx.child(e.name), text);
}

function scanNpzMember(ctx: ScanContext, src: ByteSource, e: ZipEntry, dispatch: Dispatch): void {
  const head = readZipMemberHead(src, e, 1 << 16);
  const child = ctx.child(e.name);
  if (!isNpy(head)) {
    dispatch(child, readZipMember(ctx, src, e), e.name);
    return;
  }
  const h = parseNpyHeader(head);
  if (h.hasObject) scanNpy(child, readZipMember(ctx, src, e), dispatch);
  else checkNpySize(child, h, e.size);
}
