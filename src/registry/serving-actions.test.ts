import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicySnapshot, type AppliedAction, type ContainmentAction } from '../core/index.js';
import { scan } from '../scan/index.js';
import { createAdmission, servingVersion, signModel, type ModelVersion } from './index.js';

let n = 0;
const applied = (action: ContainmentAction, lifted = false): AppliedAction => ({
  id: `act_${n++}`,
  action,
  reason: 'test',
  actor: 'test',
  appliedAt: '2026-01-01T00:00:00.000Z',
  liftedAt: lifted ? '2026-01-01T00:00:01.000Z' : null,
  liftedBy: lifted ? 'test' : null,
});

describe('which version serves a model', () => {
  const deploy = (version: string, lifted = false) =>
    applied({ kind: 'deploy_version', model: 'fraud', version }, lifted);
  const pin = (version: string, lifted = false) =>
    applied({ kind: 'pin_version', model: 'fraud', version }, lifted);
  const configured = { versions: [{ version: '1' }, { version: '2' }] };

  it('takes the latest pin, then the latest deployment, then the config', () => {
    expect(servingVersion('fraud', [deploy('v4'), pin('v3'), deploy('v5')], configured)).toBe('v3');
    expect(servingVersion('fraud', [deploy('v4'), deploy('v5'), pin('v3', true)], configured)).toBe(
      'v5',
    );
    expect(servingVersion('fraud', [deploy('v4', true)], configured)).toBe('2');
    expect(servingVersion('fraud', [], { ...configured, activeVersion: '1' })).toBe('1');
    expect(servingVersion('fraud', [pin('v3', true)], undefined)).toBeNull();
  });

  it('agrees with the snapshot every gateway builds (pins outrank deployments)', () => {
    const actions = [deploy('v4'), pin('v3'), deploy('v5'), pin('v2', true)];
    const snapshot = buildPolicySnapshot(1, actions);
    expect(snapshot.deployed.get('fraud')?.version).toBe('v5');
    expect(snapshot.pinned.get('fraud')?.version).toBe('v3');
    expect(servingVersion('fraud', actions, undefined)).toBe('v3');
  });
});

describe('admission without a trust configuration', () => {
  it('says that no signer is trusted and how to configure one, not "another key"', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aisoc-trust-'));
    writeFileSync(join(root, 'config.json'), '{"v":1}');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { bundle, manifest } = await signModel(root, {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    const version: ModelVersion = {
      id: 'mv_1',
      modelId: 'm_1',
      version: 'v1',
      manifestDigest: manifest.rootDigest,
      files: manifest.files,
      location: root,
      upstream: null,
      signature: JSON.stringify(bundle),
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'test',
    };
    const admission = createAdmission({ scan: (p) => scan(p), trust: { kind: 'keys', keys: [] } });
    const error = (await admission.admit(version).catch((e: unknown) => e)) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe('REGISTRY_TRUST_NOT_CONFIGURED');
    expect(error.message).toContain('registry.trustedKeys');
    expect(error.message).not.toContain('another key');
  });
});
