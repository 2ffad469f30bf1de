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

  it('admits sklearn globals one by one, not whole modules, and a deployment can add more', async () => {
    // A class in an sklearn module the old `sklearn.tree` prefix admitted, not in the derived list.
    const bytes = Buffer.from('\x80\x02csklearn.tree._classes\nFutureTree\n)\x81.', 'latin1');
    const byDefault = await scan(bytes, { name: 'm.pkl' });
    expect(byDefault.verdict).toBe('suspicious');
    expect(byDefault.findings.map((f) => f.rule)).toContain('pickle.global.not-allowed');
    const policy = mergeScanPolicy({ pickle: { allow: ['sklearn.tree._classes.FutureTree'] } });
    expect((await scan(bytes, { name: 'm.pkl', policy })).verdict).toBe('safe');
    const prefix = mergeScanPolicy({ pickle: { allowModulePrefixes: ['sklearn.tree'] } });
    expect((await scan(bytes, { name: 'm.pkl', policy: prefix })).verdict).toBe('safe');
    expect(
      defaultScanPolicy.pickle.allowModulePrefixes.filter((m) => m.startsWith('sklearn')),
    ).toEqual([]);
    expect(defaultScanPolicy.pickle.allow).toContain(
      'sklearn.tree._classes.DecisionTreeClassifier',
    );
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
