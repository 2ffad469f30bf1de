import type { Severity } from '../../core/index.js';
import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import { CALL_OPS } from './ops-call.js';
import { CONST_OPS } from './ops-const.js';
import { CONTAINER_OPS } from './ops-container.js';
import { PickleCursor } from './pickle-cursor.js';
import type { PValue } from './pickle-value.js';

/** Scans something nested in a pickle (bytes holding a pickle or an archive). */
export type NestedScanner = (ctx: ScanContext, source: ByteSource, name: string) => void;

/** One opcode's effect on the simulated machine. */
export type OpHandler = (m: PickleMachine) => void;

export const MARK: unique symbol = Symbol('mark');
type Slot = PValue | typeof MARK;
const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;

const HANDLERS: (OpHandler | undefined)[] = new Array(256);
for (const table of [CONST_OPS, CONTAINER_OPS, CALL_OPS]) {
  for (const [op, handler] of Object.entries(table)) HANDLERS[Number(op)] = handler;
}

export interface PickleSummary {
  end: number;
  globals: string[];
  joblibArrays: number;
}

/**
 * Simulates a pickle's stack machine without executing it (PEP 307, PEP 3154, PEP 574
 * opcodes): globals, calls and memo references are followed symbolically, so an import
 * assembled from memoised strings or a call on the result of another call is still seen.
 * The opcode handlers live in ops-const.ts, ops-container.ts and ops-call.ts.
 */
export class PickleMachine {
  private readonly stack: Slot[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PValue>();
  readonly globals = new Set<string>();
  readonly cur: PickleCursor;
  joblibArrays = 0;
  opStart = 0;

  constructor(
    readonly ctx: ScanContext,
    source: ByteSource,
    start: number,
    readonly nested: NestedScanner,
  ) {
    this.cur = new PickleCursor(source, start);
  }

  run(): PickleSummary {
    let ops = 0;
    for (;;) {
      this.opStart = this.cur.pos;
      const op = this.cur.u8();
      if (op === 0x2e /* STOP */) break;
      const handler = HANDLERS[op];
      if (handler === undefined)
        this.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
      handler(this);
      if (++ops % 4096 === 0) {
        this.ctx.chargeOps(4096);
        this.ctx.checkTime();
      }
    }
    this.ctx.chargeOps(ops % 4096);
    return { end: this.cur.pos, globals: [...this.globals], joblibArrays: this.joblibArrays };
  }

  /** A machine for a pickle embedded at `pos` of the same source (joblib object arrays). */
  spawnAt(ctx: ScanContext, pos: number): PickleMachine {
    return new PickleMachine(ctx, this.cur.sub(0, this.cur.size), pos, this.nested);
  }

  fail(message: string): never {
    throw new ScanFormatError(`${message} at offset ${this.opStart}`, { offset: this.opStart });
  }

  report(severity: Severity, rule: string, message: string): void {
    this.ctx.add(severity, rule, message, { offset: this.opStart });
  }

  push(v: PValue): void {
    if (this.stack.length >= MAX_STACK)
      throw new ScanLimitError(`pickle stack deeper than ${MAX_STACK}`);
    this.stack.push(v);
  }

  pushMark(): void {
    if (this.stack.length >= MAX_STACK)
      throw new ScanLimitError(`pickle stack deeper than ${MAX_STACK}`);
    this.marks.push(this.stack.length);
    this.stack.push(MARK);
  }

  pop(): PValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) this.fail('pickle stack underflow');
    return v;
  }

  top(): PValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) this.fail('pickle stack empty');
    return v;
  }

  /** Pops everything down to and including the last MARK; returns what was above it. */
  popMark(): PValue[] {
    const at = this.marks.pop();
    if (at === undefined) this.fail('pickle MARK missing');
    const items = this.stack.splice(at);
    if (items[0] !== MARK) this.fail('pickle MARK corrupted');
    return items.slice(1) as PValue[];
  }

  memoPut(index: number): void {
    if (this.memo.size >= MAX_MEMO) throw new ScanLimitError(`pickle memo larger than ${MAX_MEMO}`);
    this.memo.set(index, this.top());
  }

  memoNext(): number {
    return this.memo.size;
  }

  memoGet(index: number): void {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`pickle memo key ${index} read before it was written`);
    this.push(v);
  }
}
