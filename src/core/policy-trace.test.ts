import { describe, expect, it } from 'vitest';
import {
  appendPolicyStep,
  formatPolicyStep,
  parsePolicyTrace,
  policyTraceHas,
} from './policy-trace.js';

describe('the policy trace of an inference event', () => {
  it('reads traces in the form ledgers already hold', () => {
    expect(
      parsePolicyTrace('rate_limit:act_r,watermark:act_wm/rows=0;3,detect_inline:config'),
    ).toEqual([
      { kind: 'rate_limit', actionId: 'act_r' },
      { kind: 'watermark', actionId: 'act_wm', rows: [0, 3] },
      { kind: 'detect_inline', actionId: 'config' },
    ]);
    expect(parsePolicyTrace(null)).toEqual([]);
  });

  it('writes the same text back, so stored events keep their bytes', () => {
    const stored = 'harden_output:act_h,watermark:act_wm/rows=1;2';
    expect(parsePolicyTrace(stored).map(formatPolicyStep).join(',')).toBe(stored);
  });

  it('appends a step once and answers by kind, not by substring', () => {
    const once = appendPolicyStep(null, { kind: 'harden_output', actionId: 'act_h' });
    expect(appendPolicyStep(once, { kind: 'harden_output', actionId: 'act_h' })).toBe(once);
    expect(policyTraceHas(once, 'harden_output')).toBe(true);
    // An action id that happens to contain a kind's name is not that kind.
    expect(policyTraceHas('pin_version:act_watermark', 'watermark')).toBe(false);
  });

  it('leaves out steps of a kind this version does not know', () => {
    expect(parsePolicyTrace('future_kind:act_f,suspend_key:act_s')).toEqual([
      { kind: 'suspend_key', actionId: 'act_s' },
    ]);
  });
});
