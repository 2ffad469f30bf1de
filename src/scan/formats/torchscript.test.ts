import { describe, expect, it } from 'vitest';
import { mergeScanPolicy } from '../policy.js';
import { DEFAULT_SCAN_LIMITS, ScanContext } from '../scan-context.js';
import type { ScanPolicy } from '../policy.js';
import { blankStringsAndComments, scanTorchScriptSource } from './torchscript.js';

function findings(code: string, policy: ScanPolicy = mergeScanPolicy({})) {
  const ctx = ScanContext.create(policy, DEFAULT_SCAN_LIMITS, undefined);
  scanTorchScriptSource(ctx, code);
  return ctx.findings.map((f) => [f.severity, f.rule, f.location.op]);
}

const HEADER = 'class M(Module):\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n';

describe('scanTorchScriptSource', () => {
  it('passes what torch.jit.script prints: torch ops, ops.aten/prim/quantized, getattr on a module', () => {
    const code =
      HEADER +
      '    _0 = getattr(self, "0")\n' +
      '    y = torch.add(x, ops.aten.relu(x))\n' +
      '    ops.prim.RaiseException("boom", "builtins.RuntimeError")\n' +
      '    print("os.system(1)")  # os.system in a comment\n' +
      '    return ops.quantized.linear_dynamic(y, self._packed)\n';
    expect(findings(code)).toEqual([]);
  });

  it('does not read a local variable named like a module (signal, code) as that module', () => {
    const code =
      HEADER + '    signal = torch.relu(x)\n    code = signal.float()\n    return code.sum()\n';
    expect(findings(code)).toEqual([]);
  });

  it('flags Python imports, os/subprocess names and exec-style builtins', () => {
    const code =
      'import subprocess\n' +
      HEADER +
      '    _1 = os.system("id")\n' +
      '    _2 = eval("1")\n' +
      '    _3 = torch.os.popen("id")\n' +
      '    _4 = getattr(x, "__globals__")\n' +
      '    return x.__class__.__subclasses__()\n';
    const ops = findings(code).map(([sev, rule, op]) => `${sev} ${rule} ${op}`);
    expect(ops).toEqual([
      'critical torchscript.python-code subprocess',
      'critical torchscript.python-code os.system',
      'critical torchscript.python-code eval',
      'critical torchscript.python-code torch.os.popen',
      'critical torchscript.python-code x.__class__.__subclasses__',
      'critical torchscript.python-code getattr',
    ]);
  });

  it('flags file and library operators as malicious and custom namespaces as suspicious', () => {
    const code =
      HEADER +
      '    a = torch.from_file("/etc/passwd", False, 4)\n' +
      '    torch.save(x, "/tmp/x")\n' +
      '    torch.ops.load_library("/tmp/evil.so")\n' +
      '    b = ops.vendor.fused(x)\n' +
      '    c : __torch__.torch.classes.vendor.Hook = self.hook\n' +
      '    return b\n';
    expect(findings(code)).toEqual([
      ['critical', 'torchscript.dangerous-op', 'torch.from_file'],
      ['critical', 'torchscript.dangerous-op', 'torch.save'],
      ['critical', 'torchscript.dangerous-op', 'torch.ops.load_library'],
      ['medium', 'torchscript.custom-op', 'ops.vendor.fused'],
      ['medium', 'torchscript.custom-class', '__torch__.torch.classes.vendor.Hook'],
    ]);
  });

  it('lets a deployment declare its own op and class namespaces', () => {
    const policy = mergeScanPolicy({
      torchscript: { knownOpNamespaces: ['vendor'], knownClassNamespaces: ['vendor'] },
    });
    const code =
      HEADER +
      '    c : __torch__.torch.classes.vendor.Hook = self.hook\n    return ops.vendor.fused(x)\n';
    expect(findings(code, policy)).toEqual([]);
  });

  it('blanks strings (with escaped quotes and triple quotes) and comments but keeps line numbers', () => {
    const text = 'a = "x\\"os.system" + \'y\'  # c\nb = """1\n2"""\nc = 1';
    const out = blankStringsAndComments(text);
    expect(out).not.toContain('os');
    expect(out.split('\n')).toHaveLength(4);
    expect(out.split('\n')[3]).toBe('c = 1');
  });
});

describe('TorchScript custom classes in pickles', () => {
  const pickle = (module: string) => Buffer.from(`\x80\x02c${module}\nHook\n)\x81}b.`, 'latin1');

  it('admits built-in class namespaces and flags others, as the code analyser does', async () => {
    const { scan } = await import('../index.js');
    const known = await scan(pickle('__torch__.torch.classes.quantized'), { name: 'c.pkl' });
    expect(known.verdict).toBe('safe');
    const custom = await scan(pickle('__torch__.torch.classes.evil_vendor'), { name: 'c.pkl' });
    expect(custom.verdict).toBe('suspicious');
    expect(custom.findings[0]?.message).toContain('namespace "evil_vendor"');
  });
});
