import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type AppError } from '../core/index.js';
import { scan } from '../scan/index.js';
import type { Store } from '../store/index.js';
import {
  createAdmission,
  createRegistry,
  signModel,
  type Registry,
  type RegistryDatabase,
} from './index.js';

export interface RegistryHarness {
  open(): Promise<Store>;
}

const MALICIOUS = join(import.meta.dirname, '../../test/fixtures/scan/joblib-malicious.joblib');

async function expectCode(p: Promise<unknown>, code: string): Promise<AppError> {
  const error = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as AppError | null;
  expect(error, `expected ${code}`).not.toBeNull();
  expect(error!.code).toBe(code);
  return error!;
}

/** One body of registry tests, run on SQLite and PostgreSQL. */
export function runRegistryContract(harness: RegistryHarness): void {
  let store: Store;
  let registry: Registry;
  const audit: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-registry-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'));
  let n = 0;
  const unique = (s: string) => `${s}-${n++}`;

  const modelDir = async (name: string, files: Record<string, string>, signed = true) => {
    const root = join(dir, name);
    mkdirSync(root, { recursive: true });
    for (const [f, body] of Object.entries(files)) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), body);
    }
    if (!signed) return { root, signature: undefined };
    const { bundle } = await signModel(root, {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    return { root, signature: JSON.stringify(bundle) };
  };
  const version = async (
    model: string,
    v: string,
    files: Record<string, string> = { 'config.json': `{"v":"${v}"}` },
  ) => {
    const { root, signature } = await modelDir(`${model}-${v}`, files);
    return registry.registerVersion({ model, version: v, location: root, signature }, 'alice');
  };

  beforeAll(async () => {
    store = await harness.open();
    await store.migrate();
    const admission = createAdmission({
      scan: (p) => scan(p),
      trust: { kind: 'keys', keys: [publicKey] },
    });
    registry = createRegistry({
      db: store.db.withTables<RegistryDatabase>(),
      audit: async (e) => void audit.push(e),
      admission,
      clock,
    });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('models and versions', () => {
    it('registers a model and a version with its files, digests and manifest digest', async () => {
      const name = unique('fraud');
      await registry.registerModel({ name, owner: 'risk-team', criticality: 'high' }, 'alice');
      const v = await version(name, '1', { 'model.json': '{}', 'sub/weights.txt': 'w' });
      expect(v.state).toBe('registered');
      expect(v.files.map((f) => f.path)).toEqual(['model.json', 'sub/weights.txt']);
      expect(v.manifestDigest).toMatch(/^[0-9a-f]{64}$/);
      const read = await registry.version(name, '1');
      expect(read.files).toEqual(v.files);
      expect(
        audit.some((e) => e.type === 'registry.model_version.registered' && e.model === name),
      ).toBe(true);
    });

    it('refuses a duplicate model or version with REGISTRY_CONFLICT', async () => {
      const name = unique('dup');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      await expectCode(registry.registerModel({ name, owner: 'o' }, 'alice'), 'REGISTRY_CONFLICT');
      await version(name, '1');
      await expectCode(version(name, '1'), 'REGISTRY_CONFLICT');
    });

    it('rejects bad input naming each problem', async () => {
      const e = await expectCode(
        registry.registerModel({ name: '../x', owner: '' }, 'a'),
        'REGISTRY_INPUT_INVALID',
      );
      expect(e.message).toContain('name');
      expect(e.message).toContain('owner');
    });

    it('refuses to edit or delete registry rows (append-only)', async () => {
      const db = store.db.withTables<{ registry_models: { name: string } }>();
      await expectCode(
        db.updateTable('registry_models').set({ name: 'x' }).execute(),
        'STORE_APPEND_ONLY',
      );
      await expectCode(db.deleteFrom('registry_models').execute(), 'STORE_APPEND_ONLY');
    });
  });

  describe('states and admission', () => {
    it('approves a signed, clean version and records the admission report', async () => {
      const name = unique('ok');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      await version(name, '1');
      const change = await registry.approve(name, '1', 'bob', 'reviewed');
      expect(change.state).toBe('approved');
      expect(change.details).toMatchObject({
        admission: { integrity: 'verified', signature: 'verified' },
      });
      expect((await registry.history(name, '1')).map((c) => c.state)).toEqual(['approved']);
      expect(audit.at(-1)).toMatchObject({
        type: 'registry.model_version.approved',
        actor: 'bob',
        from: 'registered',
      });
    });

    it('refuses approval when a file changed after registration, naming the file', async () => {
      const name = unique('tampered');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      const v = await version(name, '1', { 'a.json': '{}', 'b.json': '[]' });
      writeFileSync(join(v.location!, 'b.json'), '[1]');
      const e = await expectCode(
        registry.approve(name, '1', 'bob', 'r'),
        'REGISTRY_ARTIFACT_MISMATCH',
      );
      expect(e.message).toContain('b.json: digest mismatch');
      expect((await registry.version(name, '1')).state).toBe('registered');
    });

    it('refuses approval of an unsigned version and of one the scanner flags', async () => {
      const name = unique('bad');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      const { root } = await modelDir(`${name}-unsigned`, { 'a.json': '{}' }, false);
      await registry.registerVersion({ model: name, version: 'unsigned', location: root }, 'alice');
      await expectCode(
        registry.approve(name, 'unsigned', 'bob', 'r'),
        'REGISTRY_ADMISSION_REFUSED',
      );
      const evil = join(dir, `${name}-evil`);
      mkdirSync(evil);
      cpSync(MALICIOUS, join(evil, 'model.joblib'));
      const { bundle } = await signModel(evil, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      await registry.registerVersion(
        { model: name, version: 'evil', location: evil, signature: JSON.stringify(bundle) },
        'alice',
      );
      const e = await expectCode(
        registry.approve(name, 'evil', 'bob', 'r'),
        'REGISTRY_ADMISSION_REFUSED',
      );
      expect(e.message).toContain('model.joblib: scanner verdict malicious');
    });

    it('refuses illegal transitions and keeps revoked final', async () => {
      const name = unique('states');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      await version(name, '1');
      await expectCode(
        registry.deploy({ model: name, version: '1', endpoint: `${name}-ep`, reason: 'r' }, 'a'),
        'REGISTRY_TRANSITION_REFUSED',
      );
      await registry.quarantine(name, '1', 'soc', 'suspected poisoning');
      await registry.approve(name, '1', 'bob', 'cleared after review');
      await registry.revoke(name, '1', 'soc', 'key compromised');
      await expectCode(registry.approve(name, '1', 'bob', 'r'), 'REGISTRY_TRANSITION_REFUSED');
      expect((await registry.history(name, '1')).map((c) => c.state)).toEqual([
        'quarantined',
        'approved',
        'revoked',
      ]);
    });
  });

  describe('loading by the built-in server', () => {
    it('loads only files that match the signed manifest, and never a quarantined version', async () => {
      const name = unique('served');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      const { root } = await modelDir(`${name}-file`, { 'model.onnx': 'onnx-bytes' }, false);
      const file = join(root, 'model.onnx');
      const { bundle } = await signModel(file, {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      await registry.registerVersion(
        { model: name, version: '1', location: file, signature: JSON.stringify(bundle) },
        'alice',
      );
      await registry.checkLoad(name, '1', file);
      await registry.checkLoad(name, 'unregistered', file);
      const swapped = join(dir, `${name}-swapped.onnx`);
      writeFileSync(swapped, 'other-bytes');
      const e = await expectCode(
        registry.checkLoad(name, '1', swapped),
        'REGISTRY_ARTIFACT_MISMATCH',
      );
      expect(e.message).toContain('.: digest mismatch');
      await registry.quarantine(name, '1', 'soc', 'suspicious');
      await expectCode(registry.checkLoad(name, '1', file), 'REGISTRY_TRANSITION_REFUSED');
    });
  });

  describe('fingerprints', () => {
    it('keeps the latest fingerprint of each version for the monitor', async () => {
      const name = unique('fp');
      await registry.registerModel({ name, owner: 'o' }, 'alice');
      await registry.registerVersion(
        { model: name, version: '1', upstream: 'http://remote.example:8500', files: [] },
        'alice',
      );
      const probes = [{ id: 'a', input: { x: [1] }, output: { y: 0.5 } }];
      await registry.saveFingerprint(name, '1', { probes, tolerance: 0.1 }, 'bob');
      clock.advance(10);
      await registry.saveFingerprint(name, '1', { probes, tolerance: 0.2 }, 'bob');
      const mine = (await registry.fingerprints()).filter((f) => f.model === name);
      expect(mine).toEqual([{ model: name, version: '1', probes, tolerance: 0.2 }]);
      await expectCode(
        registry.saveFingerprint(name, '1', { probes: [], tolerance: 0.1 }, 'b'),
        'REGISTRY_INPUT_INVALID',
      );
    });
  });

  describe('deployments and lineage', () => {
    it('answers what was trained on a snapshot and where it is deployed, and what served an endpoint at a time', async () => {
      const model = unique('churn');
      const dataset = unique('customers');
      const endpoint = `${model}-prod`;
      await registry.registerModel({ name: model, owner: 'o' }, 'alice');
      await registry.registerDataset({ name: dataset, owner: 'data' }, 'alice');
      const snap = await registry.registerSnapshot(
        {
          dataset,
          label: '2026-01',
          files: [{ path: 'part-0.parquet', digest: 'a'.repeat(64), size: 10, rows: 5 }],
          rowCount: 5,
          schema: { age: 'int' },
        },
        'alice',
      );
      await version(model, '1');
      await version(model, '2');
      await registry.recordRun(
        {
          codeRevision: 'git:abc123',
          params: { lr: 0.1 },
          inputs: [{ dataset, label: '2026-01' }],
          outputs: [
            { model, version: '1' },
            { model, version: '2' },
          ],
        },
        'ci',
      );
      await registry.approve(model, '1', 'bob', 'ok');
      await registry.approve(model, '2', 'bob', 'ok');
      clock.advance(1000);
      await registry.deploy({ model, version: '1', endpoint, reason: 'launch' }, 'bob');
      const t1 = new Date(clock.now() + 500).toISOString();
      clock.advance(1000);
      await registry.deploy({ model, version: '2', endpoint, reason: 'upgrade' }, 'bob');

      const down = await registry.lineage.trainedOn(dataset, '2026-01');
      expect(down.snapshot.id).toBe(snap.id);
      expect(down.runs.map((r) => r.codeRevision)).toEqual(['git:abc123']);
      const byVersion = Object.fromEntries(down.versions.map((v) => [v.version.version, v]));
      expect(byVersion['2']!.liveEndpoints).toEqual([endpoint]);
      expect(byVersion['1']!.liveEndpoints).toEqual([]);
      expect(byVersion['1']!.state).toBe('approved'); // replaced, still known-good

      const up = await registry.lineage.behind(endpoint, t1);
      expect(up.version?.version).toBe('1');
      expect(up.stateAt).toBe('deployed');
      expect(up.runs[0]!.run.codeRevision).toBe('git:abc123');
      expect(up.runs[0]!.inputs.map((i) => `${i.dataset}@${i.snapshot.label}`)).toEqual([
        `${dataset}@2026-01`,
      ]);
      expect((await registry.lineage.behind(endpoint)).version?.version).toBe('2');
      const history = await registry.deployments(endpoint);
      expect(history.map((d) => [d.until === null, d.reason])).toEqual([
        [false, 'launch'],
        [true, 'upgrade'],
      ]);
    });

    it('follows a compromised base model to every fine-tuned descendant and what they serve', async () => {
      const base = unique('fraud-base');
      const tuned = unique('fraud-eu');
      const data = unique('transactions');
      for (const m of [base, tuned]) await registry.registerModel({ name: m, owner: 'o' }, 'a');
      await registry.registerDataset({ name: data, owner: 'data' }, 'a');
      await registry.registerSnapshot(
        { dataset: data, label: '2026-11', files: [], rowCount: 0, schema: {} },
        'a',
      );
      await version(base, '3');
      for (const v of ['1', '2']) await version(tuned, v);
      // `--inputs fraud-base@3,transactions@2026-11`: a model version read as a base model.
      const run = await registry.recordRun(
        {
          codeRevision: 'git:ft1',
          inputs: [
            { dataset: base, label: '3' },
            { dataset: data, label: '2026-11' },
          ],
          outputs: [{ model: tuned, version: '1' }],
        },
        'ci',
      );
      expect(run.baseModels).toHaveLength(1);
      expect(run.inputs).toHaveLength(1);
      // A second generation, fine-tuned from the first descendant.
      await registry.recordRun(
        {
          codeRevision: 'git:ft2',
          baseModels: [{ model: tuned, version: '1' }],
          outputs: [{ model: tuned, version: '2' }],
        },
        'ci',
      );
      await registry.approve(tuned, '2', 'bob', 'ok');
      await registry.deploy(
        { model: tuned, version: '2', endpoint: `${tuned}-prod`, reason: 'r' },
        'bob',
      );

      const family = await registry.lineage.descendantsOf(base, '3');
      expect(family.descendants.map((d) => [d.version.version, d.depth, d.base])).toEqual([
        ['1', 1, `${base}@3`],
        ['2', 2, `${tuned}@1`],
      ]);
      expect(family.affectedEndpoints).toEqual([
        { endpoint: `${tuned}-prod`, model: tuned, version: '2' },
      ]);
      const up = await registry.lineage.behind(`${tuned}-prod`);
      expect(up.runs[0]!.bases).toEqual([`${tuned}@1`]);
      expect(audit.find((e) => e.codeRevision === 'git:ft2')).toMatchObject({
        type: 'registry.training_run.recorded',
        baseModels: [expect.any(String)],
      });

      // A run may not make a version its own ancestor, and unknown inputs are named.
      await expectCode(
        registry.recordRun(
          {
            codeRevision: 'x',
            baseModels: [{ model: tuned, version: '2' }],
            outputs: [{ model: tuned, version: '1' }],
          },
          'ci',
        ),
        'REGISTRY_INPUT_INVALID',
      );
      const e = await expectCode(
        registry.recordRun({ codeRevision: 'x', inputs: [{ dataset: 'nope', label: '1' }] }, 'ci'),
        'REGISTRY_NOT_FOUND',
      );
      expect(e.message).toContain(
        'nope@1 is neither a registered dataset snapshot nor a model version',
      );
      await expectCode(registry.lineage.descendantsOf(base, '9'), 'REGISTRY_NOT_FOUND');
    });

    it('says nothing was deployed before the first deployment', async () => {
      const up = await registry.lineage.behind('never-deployed', '2020-01-01T00:00:00Z');
      expect(up.deployment).toBeNull();
      await expectCode(registry.lineage.behind('x', 'yesterday'), 'REGISTRY_INPUT_INVALID');
    });

    it('refuses to deploy a version whose files no longer match', async () => {
      const model = unique('swap');
      await registry.registerModel({ name: model, owner: 'o' }, 'alice');
      const v = await version(model, '1');
      await registry.approve(model, '1', 'bob', 'ok');
      writeFileSync(join(v.location!, 'extra.json'), '{}');
      const e = await expectCode(
        registry.deploy({ model, version: '1', endpoint: `${model}-ep`, reason: 'r' }, 'b'),
        'REGISTRY_ARTIFACT_MISMATCH',
      );
      expect(e.message).toContain('extra.json: unexpected');
      expect(await registry.deployments(`${model}-ep`)).toEqual([]);
    });
  });
}
