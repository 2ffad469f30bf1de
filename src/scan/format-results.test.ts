import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatScanJson,
  formatScanSarif,
  formatScanTable,
  scanExitCode,
  scanPaths,
  type ScanResult,
} from './index.js';

const dir = join(import.meta.dirname, '../../test/fixtures/scan');
const files = [
  'pickle-benign-p2.pkl',
  'pickle-unknown-class-p2.pkl',
  'pickle-os-system-p0.pkl',
  'pickle-truncated-p2.pkl',
];

async function results(names = files): Promise<ScanResult[]> {
  return scanPaths(names.map((n) => join(dir, n)));
}

describe('scan output formats and exit codes', () => {
  it('maps verdicts to exit codes with malicious over error over suspicious', async () => {
    const r = await results();
    const [safe, suspicious, malicious, error] = r as [
      ScanResult,
      ScanResult,
      ScanResult,
      ScanResult,
    ];
    expect(scanExitCode([safe])).toBe(0);
    expect(scanExitCode([safe, suspicious])).toBe(10);
    expect(scanExitCode([suspicious, error])).toBe(11);
    expect(scanExitCode([error, malicious, suspicious])).toBe(12);
    expect(scanExitCode([])).toBe(0);
  });

  it('prints a table with one line per file and its reasons', async () => {
    const text = formatScanTable(await results());
    expect(text).toMatch(/^malicious +pickle +.*pickle-os-system-p0\.pkl +2$/m);
    expect(text).toContain('critical pickle.call.denied: REDUCE calls os.system("echo pwned")');
    expect(text).toContain('4 files: 1 safe, 1 suspicious, 1 malicious, 1 error');
  });

  it('round-trips the results through JSON', async () => {
    const r = await results();
    expect(JSON.parse(formatScanJson(r))).toEqual({ results: JSON.parse(JSON.stringify(r)) });
  });

  it('writes SARIF 2.1.0 with rules, levels and byte offsets', async () => {
    const log = JSON.parse(formatScanSarif(await results()));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(ids).toContain('pickle.call.denied');
    const call = run.results.find((x: { ruleId: string }) => x.ruleId === 'pickle.call.denied');
    expect(call.level).toBe('error');
    expect(ids[call.ruleIndex]).toBe('pickle.call.denied');
    expect(call.locations[0].physicalLocation.region).toEqual({ byteOffset: 27 });
    expect(call.locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /pickle-os-system-p0\.pkl$/,
    );
    const warn = run.results.find(
      (x: { ruleId: string }) => x.ruleId === 'pickle.global.not-allowed',
    );
    expect(warn.level).toBe('warning');
  });

  it('puts archive members into SARIF logical locations', async () => {
    const log = JSON.parse(formatScanSarif(await results(['torch-zip-malicious.pt'])));
    const loc = log.runs[0].results[0].locations[0];
    expect(loc.logicalLocations[0].fullyQualifiedName).toBe('archive/data.pkl');
    expect(loc.physicalLocation.region).toBeUndefined();
  });
});
