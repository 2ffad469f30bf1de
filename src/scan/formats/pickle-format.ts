import { type NestedScanner, PickleMachine } from '../pickle/pickle-machine.js';
import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import type { ScanFormat } from '../types.js';

/** torch.save's legacy (non-zip) format starts with this pickled magic number (torch/serialization.py). */
const TORCH_LEGACY_MAGIC = Uint8Array.from([
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
]);
const MAX_PICKLES = 10_000;

function startsWith(head: Uint8Array, magic: Uint8Array): boolean {
  return magic.every((b, i) => head[i] === b);
}

export function isPickleStart(head: Uint8Array): boolean {
  const [a, b] = head;
  return a === 0x80 && b !== undefined && b >= 2 && b <= 5;
}

/** Protocol 0/1 pickles have no header; accept them by name or by a plausible first opcode. */
export function looksLikeTextPickle(head: Uint8Array, name: string): boolean {
  const pickleName = /\.(pkl|pickle|pt|pth|bin|joblib|ckpt|dat|sav|p)$/i.test(name);
  const first = String.fromCharCode(head[0] ?? 0);
  return pickleName && '(cI]}NSVlK'.includes(first);
}

/**
 * Scans a stream of consecutive pickles. A legacy torch file is five pickles followed by raw
 * storages; anything else is scanned pickle after pickle until the bytes stop being one.
 */
export function scanPickleStream(
  ctx: ScanContext,
  src: ByteSource,
  name: string,
  nested: NestedScanner,
): ScanFormat {
  const head = src.read(0, Math.min(16, src.size));
  const legacy = startsWith(head, TORCH_LEGACY_MAGIC);
  let pos = 0;
  let joblib = 0;
  for (let i = 0; i < (legacy ? 5 : MAX_PICKLES); i++) {
    const summary = new PickleMachine(ctx, src, pos, nested).run();
    joblib += summary.joblibArrays;
    pos = summary.end;
    if (pos >= src.size) break;
    const next = src.read(pos, Math.min(2, src.size - pos));
    if (!legacy && !isPickleStart(next)) {
      ctx.add(
        'low',
        'pickle.trailing-data',
        `${src.size - pos} bytes after the last pickle were not analysed`,
        { offset: pos },
      );
      break;
    }
  }
  if (legacy) return 'pytorch-legacy';
  return joblib > 0 || /\.joblib$/i.test(name) ? 'joblib' : 'pickle';
}
