import type { Severity } from '../../core/index.js';
import type { ScanPolicy } from '../policy.js';

export interface GlobalVerdict {
  severity: Severity | undefined;
  rule: string;
  reason: string;
}

function matchesEntry(full: string, entry: string): boolean {
  return full === entry || full.startsWith(`${entry}.`);
}

const DUNDER = /^__\w+__$/;

/** The exact-name allowlist as a set, built once per policy (it holds a few hundred names). */
const allowSets = new WeakMap<ScanPolicy['pickle'], Set<string>>();
function allowSet(p: ScanPolicy['pickle']): Set<string> {
  let set = allowSets.get(p);
  if (set === undefined) allowSets.set(p, (set = new Set(p.allow)));
  return set;
}

/**
 * Classifies an imported global `module.name` against the allowlist policy. Dotted names
 * (protocol 4 qualified names) walk attributes at load time, so `torch.serialization` +
 * `os.system` reaches os.system through an allowed module: every segment is checked.
 */
export function classifyGlobal(policy: ScanPolicy, module: string, name: string): GlobalVerdict {
  const p = policy.pickle;
  const full = `${module}.${name}`;
  if (p.deny.some((d) => matchesEntry(full, d) || matchesEntry(module, d))) {
    return {
      severity: 'critical',
      rule: 'pickle.global.denied',
      reason: `imports ${full}, a known-dangerous callable`,
    };
  }
  const segments = name.split('.');
  if (segments.length > 1) {
    const bad = segments.find(
      (s) => DUNDER.test(s) || p.dangerousModules.includes(s) || p.dangerousNames.includes(s),
    );
    if (bad !== undefined) {
      return {
        severity: 'critical',
        rule: 'pickle.global.attribute-chain',
        reason: `imports ${full}: the dotted name walks attributes through "${bad}"`,
      };
    }
  }
  // TorchScript archives name their compiled classes `__torch__.*`; only that root may be a dunder.
  const moduleSegments = module.split('.').filter((s, i) => !(i === 0 && s === '__torch__'));
  if (segments.some((s) => DUNDER.test(s)) || moduleSegments.some((s) => DUNDER.test(s))) {
    return {
      severity: 'critical',
      rule: 'pickle.global.dunder',
      reason: `imports ${full}, a dunder attribute`,
    };
  }
  const customClass = /^__torch__\.torch\.classes\.([^.]+)/.exec(module)?.[1];
  if (customClass !== undefined && !policy.torchscript.knownClassNamespaces.includes(customClass)) {
    return {
      severity: 'medium',
      rule: 'pickle.global.not-allowed',
      reason: `imports the TorchScript custom class ${full}: namespace "${customClass}" comes from a native library`,
    };
  }
  if (allowSet(p).has(full))
    return { severity: undefined, rule: 'pickle.global.allowed', reason: full };
  if (p.allowModulePrefixes.some((m) => matchesEntry(module, m)) && segments.length === 1) {
    return { severity: undefined, rule: 'pickle.global.allowed', reason: full };
  }
  const last = segments[segments.length - 1] ?? name;
  const top = module.split('.')[0] ?? module;
  if (p.dangerousNames.includes(last) || p.dangerousModules.includes(top)) {
    return {
      severity: 'high',
      rule: 'pickle.global.dangerous-name',
      reason: `imports ${full}, not on the allowlist and named like a dangerous callable`,
    };
  }
  return {
    severity: 'medium',
    rule: 'pickle.global.not-allowed',
    reason: `imports ${full}, not on the allowlist`,
  };
}
