import { ScanLimitError } from '../scan-error.js';
import { longValue, looksNested, parseTextNumber } from './pickle-decode.js';
import type { OpHandler, PickleMachine } from './pickle-machine.js';
import { decodeReprString, unescapePython } from './pickle-text.js';

const MAX_DECODED_TEXT = 1 << 20;

function pushText(m: PickleMachine, n: number): void {
  if (n > m.ctx.limits.maxMemberBytes) {
    throw new ScanLimitError(`pickle string of ${n} bytes at ${m.opStart}`);
  }
  const bytes = m.cur.take(n);
  const text = Buffer.from(bytes.subarray(0, Math.min(n, MAX_DECODED_TEXT))).toString('utf8');
  m.push({ k: 'str', v: text });
}

/**
 * Bytes (and Python 2 str) constants are skipped unread, except that a pickle or archive
 * inside them is scanned: `pickle.loads(b"...")` payloads are visible before anything runs.
 */
function pushBytes(m: PickleMachine, n: number, maybeText: boolean): void {
  const offset = m.cur.pos;
  const head = m.cur.peekAt(offset, Math.min(n, 8));
  if (looksNested(head)) m.nested(m.ctx.child(`bytes@${offset}`), m.cur.sub(offset, n), 'nested');
  if (maybeText && n <= 4096) {
    m.push({ k: 'str', v: Buffer.from(m.cur.take(n)).toString('latin1') });
    return;
  }
  m.cur.skip(n);
  m.push({ k: 'bytes', offset, length: n, head });
}

function binstring(m: PickleMachine): void {
  const n = m.cur.int32();
  if (n < 0) m.fail('negative BINSTRING length');
  pushBytes(m, n, true);
}

function long4(m: PickleMachine): void {
  const n = m.cur.int32();
  if (n < 0) m.fail('negative LONG4 length');
  if (n > 64) {
    m.cur.skip(n);
    m.push({ k: 'other', what: 'long' });
  } else m.push(longValue(m.cur.take(n)));
}

function proto(m: PickleMachine): void {
  const v = m.cur.u8();
  if (v > 5) m.fail(`unsupported pickle protocol ${v}`);
}

/** FRAME (PEP 3154) is only a read-ahead hint, but a frame longer than the file is a lie. */
function frame(m: PickleMachine): void {
  const n = m.cur.uint(8);
  if (m.cur.pos + n > m.cur.size) m.fail(`FRAME of ${n} bytes runs past the end`);
}

function persid(m: PickleMachine, binary: boolean): void {
  if (binary) m.pop();
  else m.cur.line();
  m.push({ k: 'persid', offset: m.opStart });
}

/** Opcodes that push constants: numbers, strings, bytes, persistent ids, protocol markers. */
export const CONST_OPS: Record<number, OpHandler> = {
  0x80: proto,
  0x95: frame,
  0x4e: (m) => m.push({ k: 'none' }),
  0x88: (m) => m.push({ k: 'bool', v: true }),
  0x89: (m) => m.push({ k: 'bool', v: false }),
  0x49: (m) => m.push(parseTextNumber(m.cur.line())), // INT
  0x4c: (m) => m.push(parseTextNumber(m.cur.line())), // LONG
  0x46: (m) => m.push(parseTextNumber(m.cur.line())), // FLOAT
  0x4a: (m) => m.push({ k: 'num', v: m.cur.int32() }), // BININT
  0x4b: (m) => m.push({ k: 'num', v: m.cur.uint(1) }), // BININT1
  0x4d: (m) => m.push({ k: 'num', v: m.cur.uint(2) }), // BININT2
  0x47: (m) => (m.cur.skip(8), m.push({ k: 'num', v: 0 })), // BINFLOAT
  0x8a: (m) => m.push(longValue(m.cur.take(m.cur.uint(1)))), // LONG1
  0x8b: long4,
  0x53: (m) => m.push({ k: 'str', v: decodeReprString(m.cur.line()) }), // STRING
  0x56: (m) => m.push({ k: 'str', v: unescapePython(m.cur.line()) }), // UNICODE
  0x54: binstring,
  0x55: (m) => pushBytes(m, m.cur.uint(1), true), // SHORT_BINSTRING
  0x58: (m) => pushText(m, m.cur.uint(4)), // BINUNICODE
  0x8c: (m) => pushText(m, m.cur.uint(1)), // SHORT_BINUNICODE
  0x8d: (m) => pushText(m, m.cur.uint(8)), // BINUNICODE8
  0x42: (m) => pushBytes(m, m.cur.uint(4), false), // BINBYTES
  0x43: (m) => pushBytes(m, m.cur.uint(1), false), // SHORT_BINBYTES
  0x8e: (m) => pushBytes(m, m.cur.uint(8), false), // BINBYTES8
  0x96: (m) => pushBytes(m, m.cur.uint(8), false), // BYTEARRAY8
  0x97: (m) => m.push({ k: 'other', what: 'out-of-band buffer' }), // NEXT_BUFFER
  0x98: () => undefined, // READONLY_BUFFER
  0x50: (m) => persid(m, false),
  0x51: (m) => persid(m, true),
};
