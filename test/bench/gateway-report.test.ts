import { describe, expect, it } from 'vitest';
import { summariseCpuProfile, type CpuProfile } from '../../bench/gateway/cpu-profile.js';
import type { LoadResult } from '../../bench/gateway/load.js';
import { wrkScript } from '../../bench/gateway/load.js';
import { formatTable, median, summarise, verdicts } from '../../bench/gateway/report.js';

const result = (rps: number, p50 = 100, p99 = 200): LoadResult => ({
  requests: rps,
  seconds: 1,
  rps,
  p50,
  p99,
  errors: 0,
});

describe('gateway bench report', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('computes ratios and added latency within each round before taking the median', () => {
    const rows = summarise([
      {
        name: 'direct upstream',
        saturation: [result(100), result(50)],
        fixed: [result(0, 100, 200), result(0, 300, 900)],
      },
      {
        name: 'bare node proxy',
        saturation: [result(20), result(10)],
        fixed: [result(0), result(0)],
      },
      {
        name: 'gateway async',
        saturation: [result(18), result(9)],
        fixed: [result(0, 150, 400), result(0, 350, 1100)],
      },
    ]);
    const gateway = rows[2]!;
    // Each round's ratio is 0.9 although the machine was twice as slow in round two.
    expect(gateway.vsBare).toBeCloseTo(0.9);
    expect(gateway.vsNginx).toBeNull();
    expect(gateway.addedP50).toBe(50);
    expect(gateway.addedP99).toBe(200);
    expect(verdicts(rows)).toEqual([
      "gateway async: 0.90x the bare Node proxy's throughput (target >= 0.90): MET",
      'gateway async: adds 0.200 ms at p99 at the fixed rate (target <= 1 ms): MET',
    ]);
    expect(formatTable(rows)).toMatch(
      /gateway async +14 +0\.90x +— +— +— +— +250 +750 +\+50 +\+200/,
    );
  });

  it('reports CPU per request as a median and against the bare proxy round by round', () => {
    const cpu = (rps: number, cpuUs: number, mainUs: number) => ({ ...result(rps), cpuUs, mainUs });
    const rows = summarise([
      { name: 'bare node proxy', saturation: [cpu(10, 40, 40), cpu(10, 50, 50)], fixed: [] },
      { name: 'gateway async', saturation: [cpu(9, 60, 44), cpu(9, 100, 60)], fixed: [] },
    ]);
    expect(rows[1]!.cpuUs).toBe(80);
    expect(rows[1]!.mainUs).toBe(52);
    expect(rows[1]!.cpuVsBare).toBeCloseTo(1.75);
  });

  it('counts samples per function and area and leaves idle time out of the shares', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        {
          id: 3,
          callFrame: {
            functionName: 'serve',
            url: 'file:///x/dist/src/gateway/gateway.js',
            lineNumber: 83,
          },
        },
        {
          id: 4,
          callFrame: {
            functionName: 'request',
            url: 'file:///x/node_modules/undici/lib/api/api-request.js',
            lineNumber: 190,
          },
        },
      ],
      startTime: 1000,
      samples: [3, 3, 4, 2, 3],
      timeDeltas: [0, 100, 100, 100, 500, 100],
    };
    const summary = summariseCpuProfile(profile);
    // The long 500 µs gap is charged to nobody: each sample is worth the median 100 µs.
    expect(summary.idleMs).toBeCloseTo(0.1);
    expect(summary.busyMs).toBeCloseTo(0.4);
    expect(summary.top[0]!.name).toBe('serve src/gateway/gateway.js:84');
    expect(summary.top[0]!.selfMs).toBeCloseTo(0.3);
    expect(summary.top[0]!.share).toBe(0.75);
    expect(summary.byArea.map((a) => a.name)).toEqual([
      'aisoc gateway',
      'undici (upstream client)',
    ]);
  });

  it('paces wrk with a per-connection delay only at a fixed rate', () => {
    const spec = {
      url: 'http://x/',
      body: '{"a":1}',
      headers: { A: 'b' },
      connections: 20,
      seconds: 1,
    };
    expect(wrkScript(spec)).not.toContain('function delay');
    expect(wrkScript({ ...spec, rate: 1000 })).toContain('function delay() return 20 end');
    expect(() => wrkScript({ ...spec, body: "{'a':1}" })).toThrow(/quotes/);
  });
});
