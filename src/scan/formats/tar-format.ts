import { PickleMachine } from '../pickle/pickle-machine.js';
import { type ByteSource, u64le } from '../readers/byte-source.js';
import { type TarEntry, readTarEntries } from '../readers/tar-reader.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError } from '../scan-error.js';
import type { ScanFormat } from '../types.js';
import type { Dispatch } from './dispatch-type.js';
import { scanPickleStream } from './pickle-format.js';

const TORCH_TAR_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];
const ELEMENT_BYTES: Record<string, number> = {
  Double: 8,
  Float: 4,
  Half: 2,
  BFloat16: 2,
  Long: 8,
  Int: 4,
  Short: 2,
  Char: 1,
  Byte: 1,
  Bool: 1,
};

/** Scans a tar: torch's oldest checkpoint layout (sys_info/pickle/storages/tensors) or any tar of models. */
export function scanTar(ctx: ScanContext, src: ByteSource, dispatch: Dispatch): ScanFormat {
  const entries = readTarEntries(src, ctx.limits.maxArchiveEntries);
  const torch = TORCH_TAR_MEMBERS.every((n) => entries.some((e) => e.name === n));
  for (const e of entries) {
    ctx.checkTime();
    if (/(^|[\\/])\.\.([\\/]|$)/.test(e.name) || e.name.startsWith('/')) {
      ctx.add(
        'high',
        'archive.path-traversal',
        `tar member name "${e.name}" escapes the extraction folder`,
        { member: e.name },
      );
    }
    if (e.type === '1' || e.type === '2') {
      ctx.add('high', 'archive.symlink', `tar member "${e.name}" links to "${e.linkName}"`, {
        member: e.name,
      });
      continue;
    }
    if (e.type !== '0' && e.type !== '7') continue;
    const member = src.slice(e.dataStart, e.size);
    const child = ctx.child(e.name);
    if (torch && e.name === 'storages') walkTorchStorages(child, member, dispatch);
    else if (torch && (e.name === 'pickle' || e.name === 'sys_info'))
      scanPickleStream(child, member, e.name, dispatch);
    else if (torch && e.name === 'tensors') walkTorchTensors(child, member, dispatch);
    else dispatch(child, member, e.name);
  }
  return torch ? 'pytorch-tar' : 'tar';
}

/** torch/serialization.py legacy_load: count, then per storage a pickle (key, location, type) + u64 size + raw data. */
function walkTorchStorages(ctx: ScanContext, src: ByteSource, dispatch: Dispatch): void {
  let pos = new PickleMachine(ctx, src, 0, dispatch).run().end;
  while (pos < src.size) {
    ctx.checkTime();
    const m = new PickleMachine(ctx, src, pos, dispatch);
    const summary = m.run();
    const typeName = summary.globals.find((g) => g.endsWith('Storage')) ?? '';
    const kind = /\.(\w+)Storage$/.exec(typeName)?.[1] ?? '';
    const elem = ELEMENT_BYTES[kind];
    if (elem === undefined)
      throw new ScanFormatError(`torch tar storage at ${pos} has unknown type "${typeName}"`);
    const count = u64le(src.read(summary.end, 8));
    pos = summary.end + 8 + count * elem;
    if (!Number.isSafeInteger(pos) || pos > src.size)
      throw new ScanFormatError(`torch tar storage at ${summary.end} runs past its member`);
  }
}

/** legacy_load tensors: count, then per tensor a pickle + ndim (i32) + pad + numel/stride (i64 × ndim) + offset. */
function walkTorchTensors(ctx: ScanContext, src: ByteSource, dispatch: Dispatch): void {
  let pos = new PickleMachine(ctx, src, 0, dispatch).run().end;
  while (pos < src.size) {
    ctx.checkTime();
    const end = new PickleMachine(ctx, src, pos, dispatch).run().end;
    const ndim = src.read(end, 4).reduce((a, b, i) => a + b * 256 ** i, 0);
    if (ndim > 64) throw new ScanFormatError(`torch tar tensor at ${end} has ${ndim} dimensions`);
    pos = end + 8 + 16 * ndim + 8;
    if (pos > src.size)
      throw new ScanFormatError(`torch tar tensor record at ${end} runs past its member`);
  }
}

export type { TarEntry };
