import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';

/**
 * The README's flow with the real CLI, on a model that exists only in the registry ("fraud"
 * is not in aisoc.yaml): sign → register → approve → deploy → request → quarantine.
 */
describe('registry-driven serving with the aisoc CLI', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let keys: string;
  let secret: string;
  let row: number[][];
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `aisoc ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

  /** A signed copy of the demo ONNX model in a new folder. */
  const release = async (name: string) => {
    const dir = join(t.dir, name);
    mkdirSync(dir);
    copyFileSync(
      join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
      join(dir, 'model.onnx'),
    );
    const sig = join(t.dir, `${name}.sig`);
    const signed = await runCli([
      'sign',
      dir,
      '--private-key',
      join(keys, 'release.pem'),
      '--output',
      sig,
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    return { dir, sig };
  };

  const infer = async (model: string, version?: string) => {
    const path = version ? `${model}/versions/${version}` : model;
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/${path}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(row),
    });
    const json = (await res.json()) as { model_version?: string; code?: string };
    return { status: res.status, version: json.model_version, code: json.code };
  };

  /** Polls until `model` answers 200 from `version`; the milliseconds it took. */
  const servedWithin = async (model: string, version: string, limitMs: number) => {
    const start = Date.now();
    for (;;) {
      const r = await infer(model);
      if (r.status === 200 && r.version === version) return Date.now() - start;
      if (Date.now() - start > limitMs)
        throw new Error(
          `${model} still answers ${r.status} ${r.version ?? r.code} after ${limitMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  beforeAll(async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys = mkdtempSync(join(tmpdir(), 'aisoc-serve-flow-keys-'));
    writeFileSync(
      join(keys, 'release.pem'),
      pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    writeFileSync(
      join(keys, 'release.pub'),
      pair.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    t = await startTestAisoc({
      registry: { integrityIntervalMs: 60_000, trustedKeys: [join(keys, 'release.pub')] },
    });
    const connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    cli = (...args) => runCli([...connection, ...args]);
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json.secret;
    row = await demoRows('breast-cancer', 'holdout', 1);
  }, 120_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  it('serves a registered, approved and deployed version within a second, and stops on quarantine', async () => {
    const v4 = await release('fraud-v4');
    expect((await infer('fraud')).status).toBe(404);
    await ok(
      'registry',
      'register',
      'fraud',
      'v4',
      v4.dir,
      '--signature',
      v4.sig,
      '--location',
      '--owner',
      'risk',
    );
    await ok('registry', 'approve', 'fraud', 'v4', '--reason', 'release review');
    expect(await ok('registry', 'deploy', 'fraud', 'v4', '--reason', 'first release')).toMatch(
      /^fraud@v4 serves fraud from .* \(action act_/,
    );
    expect(await servedWithin('fraud', 'v4', 1000)).toBeLessThan(1000);

    const out = await ok(
      'registry',
      'quarantine',
      'fraud',
      'v4',
      '--reason',
      'suspected poisoning',
    );
    expect(out).toContain('fraud@v4 is now quarantined');
    expect(out).toMatch(/lifted the pins and deployments naming it: act_/);
    expect(out).toContain('fraud now has no version to serve');
    const after = await infer('fraud');
    expect(after.status).toBe(404);
    expect(after.code).toBe('GATEWAY_MODEL_UNKNOWN');
    expect((await infer('fraud', 'v4')).status).toBe(404);
  }, 180_000);

  it('rolls back to any approved version, and lifting a pin never brings back a quarantined one', async () => {
    const v5 = await release('fraud-v5');
    const v6 = await release('fraud-v6');
    for (const [v, r] of [
      ['v5', v5],
      ['v6', v6],
    ] as const) {
      await ok('registry', 'register', 'fraud', v, r.dir, '--signature', r.sig, '--location');
      await ok('registry', 'approve', 'fraud', v, '--reason', 'release review');
    }
    await ok('registry', 'deploy', 'fraud', 'v6', '--reason', 'second release');
    await servedWithin('fraud', 'v6', 1000);
    // v5 was approved and never deployed: a rollback to it serves it.
    expect(await ok('rollback', 'fraud', '--to', 'v5', '--reason', 'v6 drifts')).toContain(
      'fraud now pinned to v5',
    );
    expect((await infer('fraud')).version).toBe('v5');
    const pins = (await t.admin('/api/v1/actions?active=true')).json.actions as {
      id: string;
      action: { kind: string; model?: string; version?: string };
    }[];
    const pinV5 = pins.find((a) => a.action.kind === 'pin_version' && a.action.version === 'v5')!;
    // An older pin on v6, then the newer rollback pin on v5 … v6 is quarantined meanwhile.
    const pinV6 = (
      await t.admin('/api/v1/actions', {
        body: { action: { kind: 'pin_version', model: 'fraud', version: 'v6' }, reason: 'hold' },
      })
    ).json as { id: string };
    expect((await infer('fraud')).version).toBe('v6');
    const out = await ok('registry', 'quarantine', 'fraud', 'v6', '--reason', 'tampered');
    expect(out).toContain(pinV6.id);
    expect(out).toContain('fraud now serves version v5');
    expect((await infer('fraud')).version).toBe('v5');
    // Lifting the rollback pin leaves nothing to serve (the deployment of v6 went with its
    // quarantine): never the quarantined v6.
    await ok('policy', 'lift', pinV5.id);
    const lifted = await infer('fraud');
    expect(lifted.status).toBe(404);
    expect(lifted.version).toBeUndefined();
    const active = (await t.admin('/api/v1/actions?active=true')).json.actions as {
      action: { version?: string };
    }[];
    expect(active.some((a) => a.action.version === 'v6')).toBe(false);
  }, 180_000);

  it('rolls a configured model back to its aisoc.yaml version with `aisoc rollback M --to 1`', async () => {
    const out = await ok('rollback', 'breast-cancer', '--to', '1', '--reason', 'demo');
    expect(out).toMatch(
      /breast-cancer now pinned to 1 \(action act_\S+, at .*not in the registry\)/,
    );
    const r = await infer('breast-cancer');
    expect(r.status).toBe(200);
    expect(r.version).toBe('1');
    const missing = await cli('rollback', 'breast-cancer', '--to', '7', '--reason', 'demo');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('neither in the registry nor in aisoc.yaml');
  }, 180_000);
});
