import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ScanErrorCodes,
  defaultScanPolicy,
  loadScanPolicy,
  mergeScanPolicy,
  scan,
} from './index.js';

const fixture = join(import.meta.dirname, '../../test/fixtures/scan/pickle-unknown-class-p2.pkl');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aisoc-policy-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('scan policy', () => {
  it('allows a deployment-specific class through a YAML override', async () => {
    const file = join(tmp, 'policy.yaml');
    await writeFile(file, 'pickle:\n  allow:\n    - mylib.models.FancyModel\n');
    const policy = await loadScanPolicy(file);
    expect(policy.pickle.allow).toContain('collections.OrderedDict');
    expect((await scan(fixture, { policy })).verdict).toBe('safe');
    expect((await scan(fixture)).verdict).toBe('suspicious');
  });

  it('can replace the default lists instead of extending them', () => {
    const policy = mergeScanPolicy({ replace: true, pickle: { allow: ['a.b'] } });
    expect(policy.pickle.allow).toEqual(['a.b']);
    expect(policy.pickle.deny).toEqual(defaultScanPolicy.pickle.deny);
  });

  it('keeps the deny list above the allowlist', async () => {
    const policy = mergeScanPolicy({ pickle: { allow: ['os.system'] } });
    const r = await scan(
      join(import.meta.dirname, '../../test/fixtures/scan/pickle-os-system-p0.pkl'),
      { policy },
    );
    expect(r.verdict).toBe('malicious');
  });

  it('rejects an unknown key with SCAN_POLICY_INVALID and its path', () => {
    expect(() => mergeScanPolicy({ pickle: { alow: ['x'] } })).toThrow(/pickle: Unrecognized key/);
    try {
      mergeScanPolicy({ onnx: { knownDomains: 'x' } });
    } catch (error) {
      expect((error as { code: string }).code).toBe(ScanErrorCodes.SCAN_POLICY_INVALID);
    }
  });

  it('rejects a missing or unparsable file with SCAN_POLICY_INVALID', async () => {
    await expect(loadScanPolicy(join(tmp, 'nope.yaml'))).rejects.toMatchObject({
      code: 'SCAN_POLICY_INVALID',
    });
    const bad = join(tmp, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(loadScanPolicy(bad)).rejects.toMatchObject({ code: 'SCAN_POLICY_INVALID' });
  });
});
