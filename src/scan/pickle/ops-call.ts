import type { Severity } from '../../core/index.js';
import { classifyGlobal } from './classify-global.js';
import { scanDecodedPayload } from './embedded-payload.js';
import { itemSize } from './pickle-decode.js';
import type { OpHandler, PickleMachine } from './pickle-machine.js';
import { normaliseModule } from './pickle-text.js';
import { type PValue, describe, rootGlobal } from './pickle-value.js';

function global(m: PickleMachine, moduleRaw: string, name: string): PValue {
  const module = normaliseModule(moduleRaw);
  const verdict = classifyGlobal(m.ctx.policy, module, name);
  m.globals.add(`${module}.${name}`);
  if (verdict.severity !== undefined) m.report(verdict.severity, verdict.rule, verdict.reason);
  return { k: 'global', module, name, offset: m.opStart, allowed: verdict.severity === undefined };
}

/** STACK_GLOBAL resolves through the simulated stack: memoised strings are as good as literals. */
function stackGlobal(m: PickleMachine): void {
  const n = m.pop();
  const mod = m.pop();
  if (mod.k === 'str' && n.k === 'str') return m.push(global(m, mod.v, n.v));
  m.report(
    'critical',
    'pickle.stack-global.dynamic',
    `STACK_GLOBAL imports a name computed at load time (${describe(mod, 40)}, ${describe(n, 40)})`,
  );
  m.push({ k: 'other', what: 'dynamic global' });
}

function call(m: PickleMachine, fn: PValue, args: PValue, opName: string): void {
  if (fn.k === 'global' && !fn.allowed) {
    const sev: Severity = classifyGlobal(m.ctx.policy, fn.module, fn.name).severity ?? 'medium';
    const rule =
      sev === 'critical' || sev === 'high' ? 'pickle.call.denied' : 'pickle.call.not-allowed';
    m.report(sev, rule, `${opName} calls ${fn.module}.${fn.name}(${describe(args, 160)})`);
  } else if (fn.k === 'call') {
    const what = describe(fn, 100);
    m.report(
      'critical',
      'pickle.call.computed',
      `${opName} calls the result of ${what}: an indirect call (getattr-style chain)`,
    );
  } else if (fn.k !== 'global') {
    m.report(
      'high',
      'pickle.call.non-global',
      `${opName} calls a value that is not an imported global (${fn.k})`,
    );
  }
  scanDecodedPayload(m, fn, args);
  m.push({ k: 'call', fn, args, offset: m.opStart });
}

function inst(m: PickleMachine): void {
  const mod = m.cur.line();
  const name = m.cur.line();
  const args = m.popMark();
  call(m, global(m, mod, name), { k: 'tuple', items: args }, 'INST');
}

function obj(m: PickleMachine): void {
  const items = m.popMark();
  const cls = items[0];
  if (cls === undefined) m.fail('OBJ without a class');
  call(m, cls, { k: 'tuple', items: items.slice(1) }, 'OBJ');
}

/** BUILD sets state on an object; on a class or module that is monkey-patching at load time. */
function build(m: PickleMachine): void {
  const state = m.pop();
  const target = m.top();
  if (target.k === 'global') {
    m.report(
      'critical',
      'pickle.build.on-global',
      `BUILD sets attributes on ${target.module}.${target.name} (monkey-patching)`,
    );
  } else if (target.k === 'call' && rootGlobal(target)?.name === 'NumpyArrayWrapper') {
    skipJoblibArray(m, state);
  }
}

/** joblib writes each array's raw bytes right after its wrapper's BUILD (joblib/numpy_pickle.py). */
function skipJoblibArray(m: PickleMachine, state: PValue): void {
  m.joblibArrays += 1;
  const get = (key: string) =>
    state.k === 'dict' ? state.entries.find(([k]) => k.k === 'str' && k.v === key)?.[1] : undefined;
  const shape = get('shape');
  const dtype = get('dtype');
  const first = dtype?.k === 'call' && dtype.args.k === 'tuple' ? dtype.args.items[0] : undefined;
  if (shape?.k !== 'tuple' || first?.k !== 'str')
    m.fail('joblib array wrapper without a readable shape/dtype');
  if (first.v.includes('O')) {
    const sub = m.spawnAt(m.ctx.child(`joblib-object-array@${m.cur.pos}`), m.cur.pos);
    m.cur.pos = sub.run().end;
    return;
  }
  if (get('numpy_array_alignment_bytes')?.k === 'num') m.cur.skip(m.cur.u8());
  const count = shape.items.reduce((n, d) => n * (d.k === 'num' ? Number(d.v) : Number.NaN), 1);
  const bytes = count * itemSize(first.v);
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    m.fail(`joblib array of dtype ${first.v} has no computable size`);
  m.cur.skip(bytes);
}

function ext(m: PickleMachine, width: 1 | 2 | 4): void {
  const code = m.cur.uint(width);
  m.report(
    'high',
    'pickle.extension',
    `EXT opcode loads copyreg extension ${code}, which can resolve to any global`,
  );
  m.push({ k: 'other', what: 'extension' });
}

/** Opcodes that import, call, instantiate or set state: where pickles run code. */
export const CALL_OPS: Record<number, OpHandler> = {
  0x63: (m) => m.push(global(m, m.cur.line(), m.cur.line())), // GLOBAL
  0x93: stackGlobal,
  0x69: inst,
  0x6f: obj,
  0x52: (m) => {
    const args = m.pop();
    call(m, m.pop(), args, 'REDUCE');
  },
  0x81: (m) => {
    const args = m.pop();
    call(m, m.pop(), args, 'NEWOBJ');
  },
  0x92: (m) => {
    m.pop();
    const args = m.pop();
    call(m, m.pop(), args, 'NEWOBJ_EX');
  },
  0x62: build,
  0x82: (m) => ext(m, 1),
  0x83: (m) => ext(m, 2),
  0x84: (m) => ext(m, 4),
};
