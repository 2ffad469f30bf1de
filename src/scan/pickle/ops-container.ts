import { pairs, parseIndex } from './pickle-decode.js';
import type { OpHandler, PickleMachine } from './pickle-machine.js';
import { type PValue, describe, pushItems, rootGlobal } from './pickle-value.js';

const MAX_ENTRIES = 4096;

function tupleOf(items: PValue[]): PValue {
  return { k: 'tuple', items: items.slice(0, MAX_ENTRIES) };
}

/** On something that is not a list, dict or set these ops call its methods, or mutate a global. */
function checkTarget(m: PickleMachine, target: PValue, opName: string): void {
  if (target.k === 'global') {
    m.report(
      'high',
      'pickle.mutate.global',
      `${opName} mutates ${target.module}.${target.name} in place`,
    );
  } else if (target.k === 'call' && rootGlobal(target)?.allowed !== true) {
    m.report(
      'medium',
      'pickle.mutate.object',
      `${opName} calls a method of ${describe(target, 60)}`,
    );
  }
}

function append(m: PickleMachine, items: PValue[], opName: string): void {
  const target = m.top();
  if (target.k === 'list' || target.k === 'set') pushItems(target.items, items);
  else checkTarget(m, target, opName);
}

function setItems(m: PickleMachine, items: PValue[]): void {
  const target = m.top();
  if (target.k !== 'dict') return checkTarget(m, target, 'SETITEMS');
  for (const p of pairs(items)) if (target.entries.length < MAX_ENTRIES) target.entries.push(p);
}

function popN(m: PickleMachine, n: number): PValue[] {
  const out: PValue[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) out[i] = m.pop();
  return out;
}

/** Opcodes that build containers, manage marks and use the memo. */
export const CONTAINER_OPS: Record<number, OpHandler> = {
  0x28: (m) => m.pushMark(), // MARK
  0x30: (m) => void m.pop(), // POP
  0x31: (m) => void m.popMark(), // POP_MARK
  0x32: (m) => m.push(m.top()), // DUP
  0x29: (m) => m.push({ k: 'tuple', items: [] }),
  0x5d: (m) => m.push({ k: 'list', items: [] }),
  0x7d: (m) => m.push({ k: 'dict', entries: [] }),
  0x8f: (m) => m.push({ k: 'set', items: [] }),
  0x74: (m) => m.push(tupleOf(m.popMark())), // TUPLE
  0x6c: (m) => m.push({ k: 'list', items: m.popMark().slice(0, MAX_ENTRIES) }), // LIST
  0x91: (m) => m.push({ k: 'set', items: m.popMark().slice(0, MAX_ENTRIES) }), // FROZENSET
  0x85: (m) => m.push(tupleOf(popN(m, 1))),
  0x86: (m) => m.push(tupleOf(popN(m, 2))),
  0x87: (m) => m.push(tupleOf(popN(m, 3))),
  0x64: (m) => m.push({ k: 'dict', entries: pairs(m.popMark()) }), // DICT
  0x61: (m) => append(m, [m.pop()], 'APPEND'),
  0x65: (m) => append(m, m.popMark(), 'APPENDS'),
  0x90: (m) => append(m, m.popMark(), 'ADDITEMS'),
  0x73: (m) => setItems(m, popN(m, 2)), // SETITEM
  0x75: (m) => setItems(m, m.popMark()), // SETITEMS
  0x70: (m) => m.memoPut(parseIndex(m.cur.line(), m.opStart)), // PUT
  0x71: (m) => m.memoPut(m.cur.uint(1)), // BINPUT
  0x72: (m) => m.memoPut(m.cur.uint(4)), // LONG_BINPUT
  0x94: (m) => m.memoPut(m.memoNext()), // MEMOIZE
  0x67: (m) => m.memoGet(parseIndex(m.cur.line(), m.opStart)), // GET
  0x68: (m) => m.memoGet(m.cur.uint(1)), // BINGET
  0x6a: (m) => m.memoGet(m.cur.uint(4)), // LONG_BINGET
};
