import type { Severity } from '../../core/index.js';
import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import { classifyGlobal } from './classify-global.js';
import { PickleCursor } from './pickle-cursor.js';
import { decodeReprString, normaliseModule, unescapePython } from './pickle-text.js';
import { type PValue, describe, pushItems, rootGlobal } from './pickle-value.js';

/** Scans something nested (bytes inside a pickle); returns false if it is not a known format. */
export type NestedScanner = (ctx: ScanContext, source: ByteSource, name: string) => void;

const MARK: unique symbol = Symbol('mark');
type Slot = PValue | typeof MARK;
const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;
const OTHER: PValue = { k: 'other', what: 'value' };

export interface PickleSummary {
  end: number;
  globals: string[];
  joblibArrays: number;
}

/**
 * Simulates a pickle's stack machine without executing it (PEP 307, PEP 3154, PEP 574 opcodes):
 * globals, calls and memo references are followed symbolically so an import assembled from
 * memoised strings or a call on the result of another call is still seen.
 */
export class PickleMachine {
  private stack: Slot[] = [];
  private marks: number[] = [];
  private readonly memo = new Map<number, PValue>();
  private readonly globals = new Set<string>();
  private joblibArrays = 0;
  private readonly cur: PickleCursor;
  private opStart = 0;

  constructor(
    private readonly ctx: ScanContext,
    source: ByteSource,
    start: number,
    private readonly nested: NestedScanner,
  ) {
    this.cur = new PickleCursor(source, start);
  }

  run(): PickleSummary {
    let ops = 0;
    for (;;) {
      this.opStart = this.cur.pos;
      const op = this.cur.u8();
      if (op === 0x2e /* STOP */) break;
      this.step(op);
      if (++ops % 4096 === 0) {
        this.ctx.chargeOps(4096);
        this.ctx.checkTime();
      }
    }
    this.ctx.chargeOps(ops % 4096);
    return { end: this.cur.pos, globals: [...this.globals], joblibArrays: this.joblibArrays };
  }

  private fail(message: string): never {
    throw new ScanFormatError(`${message} at offset ${this.opStart}`, { offset: this.opStart });
  }

  private push(v: Slot): void {
    if (this.stack.length >= MAX_STACK)
      throw new ScanLimitError(`pickle stack deeper than ${MAX_STACK}`);
    this.stack.push(v);
  }

  private pop(): PValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) this.fail('pickle stack underflow');
    return v;
  }

  private top(): PValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) this.fail('pickle stack empty');
    return v;
  }

  private popMark(): Slot[] {
    const at = this.marks.pop();
    if (at === undefined) this.fail('pickle MARK missing');
    return this.stack.splice(at);
  }

  private step(op: number): void {
    if (this.stepConst(op) || this.stepContainer(op) || this.stepMemo(op) || this.stepCall(op))
      return;
    this.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
  }

  private stepConst(op: number): boolean {
    const c = this.cur;
    switch (op) {
      case 0x80: {
        const v = c.u8();
        if (v > 5) this.fail(`unsupported pickle protocol ${v}`);
        return true;
      }
      case 0x95: {
        const n = c.uint(8);
        if (this.cur.pos + n > this.cur.size) this.fail(`FRAME of ${n} bytes runs past the end`);
        return true;
      }
      case 0x4e:
        this.push({ k: 'none' });
        return true;
      case 0x88:
        this.push({ k: 'bool', v: true });
        return true;
      case 0x89:
        this.push({ k: 'bool', v: false });
        return true;
      case 0x49:
      case 0x4c:
      case 0x46:
        this.push(parseTextNumber(c.line()));
        return true; // INT LONG FLOAT
      case 0x4a:
        this.push({ k: 'num', v: c.int32() });
        return true;
      case 0x4b:
        this.push({ k: 'num', v: c.uint(1) });
        return true;
      case 0x4d:
        this.push({ k: 'num', v: c.uint(2) });
        return true;
      case 0x47:
        c.skip(8);
        this.push({ k: 'num', v: 0 });
        return true;
      case 0x8a:
        this.push(longValue(c.take(c.uint(1))));
        return true;
      case 0x8b: {
        const n = c.int32();
        if (n < 0) this.fail('negative LONG4 length');
        this.push(n > 64 ? (c.skip(n), OTHER) : longValue(c.take(n)));
        return true;
      }
      case 0x53:
        this.push({ k: 'str', v: decodeReprString(c.line()) });
        return true;
      case 0x56:
        this.push({ k: 'str', v: unescapePython(c.line()) });
        return true;
      case 0x54: {
        const n = c.int32();
        if (n < 0) this.fail('negative BINSTRING length');
        this.pushBytes(n, true);
        return true;
      }
      case 0x55:
        this.pushBytes(c.uint(1), true);
        return true;
      case 0x58:
        this.pushText(c.uint(4));
        return true;
      case 0x8c:
        this.pushText(c.uint(1));
        return true;
      case 0x8d:
        this.pushText(c.uint(8));
        return true;
      case 0x42:
        this.pushBytes(c.uint(4), false);
        return true;
      case 0x43:
        this.pushBytes(c.uint(1), false);
        return true;
      case 0x8e:
      case 0x96:
        this.pushBytes(c.uint(8), false);
        return true;
      case 0x97:
        this.push({ k: 'other', what: 'out-of-band buffer' });
        return true;
      case 0x98:
        return true; // READONLY_BUFFER
      case 0x50:
        c.line();
        this.push({ k: 'persid', offset: this.opStart });
        return true;
      case 0x51:
        this.pop();
        this.push({ k: 'persid', offset: this.opStart });
        return true;
      default:
        return false;
    }
  }

  private pushText(n: number): void {
    if (n > this.ctx.limits.maxMemberBytes)
      throw new ScanLimitError(`pickle string of ${n} bytes at ${this.opStart}`);
    const bytes = this.cur.take(n);
    const text = Buffer.from(bytes.subarray(0, Math.min(n, 1 << 20))).toString('utf8');
    this.push({ k: 'str', v: text });
  }

  /** Bytes constants are skipped, except that a nested pickle or archive inside them is scanned. */
  private pushBytes(n: number, maybeText: boolean): void {
    const offset = this.cur.pos;
    const head = this.cur.peekAt(offset, Math.min(n, 8));
    if (maybeText && n <= 4096) {
      this.push({ k: 'str', v: Buffer.from(this.cur.take(n)).toString('latin1') });
      return;
    }
    this.cur.skip(n);
    this.push({ k: 'bytes', offset, length: n, head });
    if (looksNested(head))
      this.nested(this.ctx.child(`bytes@${offset}`), this.cur.sub(offset, n), 'nested');
  }

  private stepContainer(op: number): boolean {
    switch (op) {
      case 0x28:
        this.marks.push(this.stack.length);
        this.push(MARK);
        return true; // MARK
      case 0x30:
        this.pop();
        return true; // POP
      case 0x31:
        this.popMark();
        return true; // POP_MARK
      case 0x32:
        this.push(this.top());
        return true; // DUP
      case 0x29:
        this.push({ k: 'tuple', items: [] });
        return true;
      case 0x5d:
        this.push({ k: 'list', items: [] });
        return true;
      case 0x7d:
        this.push({ k: 'dict', entries: [] });
        return true;
      case 0x8f:
        this.push({ k: 'set', items: [] });
        return true;
      case 0x74:
        this.push(this.tupleOf(this.popMarkClean()));
        return true; // TUPLE
      case 0x6c:
        this.push({ k: 'list', items: this.popMarkClean() });
        return true; // LIST
      case 0x91:
        this.push({ k: 'set', items: this.popMarkClean() });
        return true; // FROZENSET
      case 0x85:
        this.push(this.tupleOf([this.pop()]));
        return true;
      case 0x86: {
        const b = this.pop();
        const a = this.pop();
        this.push(this.tupleOf([a, b]));
        return true;
      }
      case 0x87: {
        const c3 = this.pop();
        const b = this.pop();
        const a = this.pop();
        this.push(this.tupleOf([a, b, c3]));
        return true;
      }
      case 0x64:
        this.push({ k: 'dict', entries: pairs(this.popMarkClean()) });
        return true; // DICT
      case 0x61: {
        const v = this.pop();
        this.mutate(this.top(), [v], 'APPEND');
        return true;
      }
      case 0x65: {
        const items = this.popMarkClean();
        this.mutate(this.top(), items, 'APPENDS');
        return true;
      }
      case 0x90: {
        const items = this.popMarkClean();
        this.mutate(this.top(), items, 'ADDITEMS');
        return true;
      }
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v]);
        return true;
      }
      case 0x75: {
        const items = this.popMarkClean();
        this.setItems(this.top(), items);
        return true;
      }
      default:
        return false;
    }
  }

  private popMarkClean(): PValue[] {
    const items = this.popMark();
    if (items[0] !== MARK) this.fail('pickle MARK corrupted');
    return items.slice(1).filter((v): v is PValue => v !== MARK);
  }

  private tupleOf(items: PValue[]): PValue {
    return { k: 'tuple', items: items.slice(0, 4096) };
  }

  /** APPEND/ADDITEMS on something that is not a list or set call its append/extend/add method. */
  private mutate(target: PValue, items: PValue[], opName: string): void {
    if (target.k === 'list' || target.k === 'set') pushItems(target.items, items);
    else this.checkTarget(target, opName);
  }

  private setItems(target: PValue, items: PValue[]): void {
    if (target.k === 'dict') {
      for (const p of pairs(items)) if (target.entries.length < 4096) target.entries.push(p);
    } else this.checkTarget(target, 'SETITEMS');
  }

  private checkTarget(target: PValue, opName: string): void {
    if (target.k === 'global') {
      this.report(
        'high',
        'pickle.mutate.global',
        `${opName} mutates ${target.module}.${target.name} in place`,
      );
    } else if (target.k === 'call' && rootGlobal(target)?.allowed !== true) {
      this.report(
        'medium',
        'pickle.mutate.object',
        `${opName} calls a method of ${describe(target, 60)}`,
      );
    }
  }

  private stepMemo(op: number): boolean {
    const c = this.cur;
    switch (op) {
      case 0x70:
        this.memoPut(parseIndex(c.line(), this.opStart));
        return true;
      case 0x71:
        this.memoPut(c.uint(1));
        return true;
      case 0x72:
        this.memoPut(c.uint(4));
        return true;
      case 0x94:
        this.memoPut(this.memo.size);
        return true;
      case 0x67:
        this.memoGet(parseIndex(c.line(), this.opStart));
        return true;
      case 0x68:
        this.memoGet(c.uint(1));
        return true;
      case 0x6a:
        this.memoGet(c.uint(4));
        return true;
      default:
        return false;
    }
  }

  private memoPut(index: number): void {
    if (this.memo.size >= MAX_MEMO) throw new ScanLimitError(`pickle memo larger than ${MAX_MEMO}`);
    this.memo.set(index, this.top());
  }

  private memoGet(index: number): void {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`pickle memo key ${index} read before it was written`);
    this.push(v);
  }

  private stepCall(op: number): boolean {
    const c = this.cur;
    switch (op) {
      case 0x63: {
        const m = c.line();
        const n = c.line();
        this.push(this.global(m, n));
        return true;
      } // GLOBAL
      case 0x93: {
        const n = this.pop();
        const m = this.pop();
        this.push(this.stackGlobal(m, n));
        return true;
      }
      case 0x69: {
        const m = c.line();
        const n = c.line();
        const args = this.popMarkClean();
        this.push(this.call(this.global(m, n), this.tupleOf(args), 'INST'));
        return true;
      }
      case 0x6f: {
        const items = this.popMarkClean();
        const cls = items[0];
        if (cls === undefined) this.fail('OBJ without a class');
        this.push(this.call(cls, this.tupleOf(items.slice(1)), 'OBJ'));
        return true;
      }
      case 0x52: {
        const args = this.pop();
        const fn = this.pop();
        this.push(this.call(fn, args, 'REDUCE'));
        return true;
      }
      case 0x81: {
        const args = this.pop();
        const cls = this.pop();
        this.push(this.call(cls, args, 'NEWOBJ'));
        return true;
      }
      case 0x92: {
        this.pop();
        const args = this.pop();
        const cls = this.pop();
        this.push(this.call(cls, args, 'NEWOBJ_EX'));
        return true;
      }
      case 0x62: {
        const state = this.pop();
        this.build(this.top(), state);
        return true;
      }
      case 0x82:
      case 0x83:
      case 0x84: {
        const code = c.uint(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
        this.report(
          'high',
          'pickle.extension',
          `EXT opcode loads copyreg extension ${code}, which can resolve to any global`,
        );
        this.push(OTHER);
        return true;
      }
      default:
        return false;
    }
  }

  private global(moduleRaw: string, name: string): PValue {
    const module = normaliseModule(moduleRaw);
    const verdict = classifyGlobal(this.ctx.policy, module, name);
    this.globals.add(`${module}.${name}`);
    if (verdict.severity !== undefined) this.report(verdict.severity, verdict.rule, verdict.reason);
    return {
      k: 'global',
      module,
      name,
      offset: this.opStart,
      allowed: verdict.severity === undefined,
    };
  }

  private stackGlobal(m: PValue, n: PValue): PValue {
    if (m.k === 'str' && n.k === 'str') return this.global(m.v, n.v);
    this.report(
      'critical',
      'pickle.stack-global.dynamic',
      `STACK_GLOBAL imports a name computed at load time (${describe(m, 40)}, ${describe(n, 40)})`,
    );
    return OTHER;
  }

  private call(fn: PValue, args: PValue, opName: string): PValue {
    if (fn.k === 'global' && !fn.allowed) {
      const sev: Severity =
        classifyGlobal(this.ctx.policy, fn.module, fn.name).severity ?? 'medium';
      const rule =
        sev === 'critical' || sev === 'high' ? 'pickle.call.denied' : 'pickle.call.not-allowed';
      this.report(sev, rule, `${opName} calls ${fn.module}.${fn.name}(${describe(args, 160)})`);
    } else if (fn.k === 'call') {
      this.report(
        'critical',
        'pickle.call.computed',
        `${opName} calls the result of ${describe(fn, 100)}: an indirect call (getattr-style chain)`,
      );
    } else if (fn.k !== 'global') {
      this.report(
        'high',
        'pickle.call.non-global',
        `${opName} calls a value that is not an imported global (${fn.k})`,
      );
    }
    return { k: 'call', fn, args, offset: this.opStart };
  }

  /** BUILD sets state on an object; on a class or module that is monkey-patching at load time. */
  private build(target: PValue, state: PValue): void {
    if (target.k === 'global') {
      this.report(
        'critical',
        'pickle.build.on-global',
        `BUILD sets attributes on ${target.module}.${target.name} (monkey-patching)`,
      );
      return;
    }
    const root = rootGlobal(target);
    if (root?.name === 'NumpyArrayWrapper' && target.k === 'call') this.skipJoblibArray(state);
  }

  /** joblib writes each array's raw bytes right after its wrapper's BUILD (joblib/numpy_pickle.py). */
  private skipJoblibArray(state: PValue): void {
    this.joblibArrays += 1;
    const get = (key: string) =>
      state.k === 'dict'
        ? state.entries.find(([k]) => k.k === 'str' && k.v === key)?.[1]
        : undefined;
    const shape = get('shape');
    const dtype = get('dtype');
    const dtypeName =
      dtype?.k === 'call' && dtype.args.k === 'tuple' && dtype.args.items[0]?.k === 'str'
        ? dtype.args.items[0].v
        : undefined;
    if (shape?.k !== 'tuple' || dtypeName === undefined)
      this.fail('joblib array wrapper without a readable shape/dtype');
    if (dtypeName.includes('O')) {
      const sub = new PickleMachine(
        this.ctx.child(`joblib-object-array@${this.cur.pos}`),
        this.cur.sub(0, this.cur.size),
        this.cur.pos,
        this.nested,
      );
      this.cur.pos = sub.run().end;
      return;
    }
    if (get('numpy_array_alignment_bytes')?.k === 'num') this.cur.skip(this.cur.u8());
    const count = shape.items.reduce((n, d) => n * (d.k === 'num' ? Number(d.v) : Number.NaN), 1);
    const bytes = count * itemSize(dtypeName);
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      this.fail(`joblib array of dtype ${dtypeName} has no computable size`);
    this.cur.skip(bytes);
  }

  private report(severity: Severity, rule: string, message: string): void {
    this.ctx.add(severity, rule, message, { offset: this.opStart });
  }
}

function pairs(items: PValue[]): [PValue, PValue][] {
  const out: [PValue, PValue][] = [];
  for (let i = 0; i + 1 < items.length && out.length < 4096; i += 2)
    out.push([items[i] as PValue, items[i + 1] as PValue]);
  return out;
}

function parseTextNumber(line: string): PValue {
  if (line === '01') return { k: 'bool', v: true };
  if (line === '00') return { k: 'bool', v: false };
  const n = Number(line.replace(/L$/, ''));
  return { k: 'num', v: Number.isFinite(n) ? n : 0 };
}

function parseIndex(line: string, offset: number): number {
  const n = Number(line);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ScanFormatError(`bad memo index "${line.slice(0, 20)}" at ${offset}`, { offset });
  return n;
}

function longValue(b: Uint8Array): PValue {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  if (b.length > 0 && ((b[b.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  return {
    k: 'num',
    v: v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
  };
}

/** NumPy dtype strings such as '<f8', 'i4', 'u1', 'b1', 'c16', '<U10', 'S5', 'V16', 'M8[ns]'. */
export function itemSize(dtype: string): number {
  const m = /^[<>|=]?([a-zA-Z])(\d*)/.exec(dtype);
  if (m === null) return Number.NaN;
  const kind = m[1] ?? '';
  const n = m[2] === '' || m[2] === undefined ? Number.NaN : Number(m[2]);
  if (kind === 'U') return 4 * n;
  if (kind === '?' || (kind === 'b' && Number.isNaN(n))) return 1;
  const defaults: Record<string, number> = {
    d: 8,
    f: 4,
    e: 2,
    g: 16,
    l: 8,
    q: 8,
    i: 4,
    h: 2,
    B: 1,
    H: 2,
    I: 4,
    L: 8,
    Q: 8,
  };
  return Number.isNaN(n) ? (defaults[kind] ?? Number.NaN) : n;
}

export function looksNested(head: Uint8Array): boolean {
  const [a, b, c, d] = head;
  if (a === 0x80 && b !== undefined && b >= 2 && b <= 5) return true;
  if (a === 0x50 && b === 0x4b && c === 0x03 && d === 0x04) return true;
  return false;
}
