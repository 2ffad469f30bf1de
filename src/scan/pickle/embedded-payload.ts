import { bufferSource } from '../readers/byte-source.js';
import { looksNested } from './pickle-decode.js';
import type { PickleMachine } from './pickle-machine.js';
import type { PValue } from './pickle-value.js';

type Decoder = (text: string, args: PValue[]) => Buffer | null;

const stringArg = (args: PValue[], i: number) => {
  const a = args[i];
  return a?.k === 'str' ? a.v : null;
};
const base64 = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'base64');
const hex = (text: string) => {
  const clean = text.replace(/\s+/g, '');
  return /^(?:[0-9a-fA-F]{2})*$/.test(clean) ? Buffer.from(clean, 'hex') : null;
};
const urlsafe = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'base64url');

/** codecs.decode(text, 'base64' | 'hex' …) and _codecs.encode(text, 'latin1') (protocol 0-2 bytes). */
const viaCodec: Decoder = (text, args) => {
  const codec = (stringArg(args, 1) ?? 'utf-8').toLowerCase().replace(/[-_]/g, '');
  if (codec === 'base64' || codec === 'base64codec') return base64(text);
  if (codec === 'hex' || codec === 'hexcodec') return hex(text);
  if (codec === 'latin1' || codec === 'iso88591') return Buffer.from(text, 'latin1');
  return null;
};

// Decoders a pickle can call to turn text into the bytes of a second pickle.
const DECODERS: Record<string, Decoder> = {
  'base64.b64decode': base64,
  'base64.standard_b64decode': base64,
  'base64.decodebytes': base64,
  'base64.decodestring': base64,
  'base64.urlsafe_b64decode': urlsafe,
  'binascii.a2b_base64': base64,
  'binascii.unhexlify': hex,
  'binascii.a2b_hex': hex,
  'builtins.bytes.fromhex': hex,
  'builtins.bytearray.fromhex': hex,
  'codecs.decode': viaCodec,
  '_codecs.decode': viaCodec,
  'codecs.encode': viaCodec,
  '_codecs.encode': viaCodec,
};

/**
 * A pickle may carry a second pickle as text and decode it at load time (`pickle.loads(
 * base64.b64decode("gASV…"))`). When a known decoder is called on a string constant, the
 * decoded bytes are scanned like any nested pickle or archive (one level deeper: the scan's
 * depth limit bounds the recursion), so the inner payload is named, not only the outer call.
 */
export function scanDecodedPayload(m: PickleMachine, fn: PValue, args: PValue): void {
  if (fn.k !== 'global' || args.k !== 'tuple') return;
  const decode = DECODERS[`${fn.module}.${fn.name}`];
  const text = stringArg(args.items, 0);
  if (!decode || text === null || text.length < 2) return;
  const bytes = decode(text, args.items);
  if (!bytes || bytes.length < 2) return;
  const first = String.fromCharCode(bytes[0]!);
  if (!looksNested(bytes.subarray(0, 8)) && !'(cI]}NSVlK'.includes(first)) return;
  const where = `${fn.module}.${fn.name}@${m.opStart}`;
  m.nested(m.ctx.child(where), bufferSource(bytes), 'decoded.pkl');
}
