import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { hashModel } from '../../src/registry/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { runCli as aisoc } from '../support/cli.js';

describe('aisoc registry and aisoc lineage against a running aisoc', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let cli: (...args: string[]) => ReturnType<typeof aisoc>;
  /** Runs a command that must succeed; its JSON answer when it printed one. */
  let ok: (...args: string[]) => Promise<any>;
  const dirs: Record<string, string> = {};

  const modelDir = (name: string, extra?: string) => {
    const dir = join(t.dir, name);
    mkdirSync(dir);
    copyFileSync(
      join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'),
      join(dir, 'model.onnx'),
    );
    if (extra) writeFileSync(join(dir, 'NOTES.md'), extra);
    return dir;
  };

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = mkdtempSync(join(tmpdir(), 'aisoc-registry-cli-keys-'));
    writeFileSync(join(keys, 'release.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(keys, 'release.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    t = await startTestAisoc({
      registry: { integrityIntervalMs: 60_000, trustedKeys: [join(keys, 'release.pub')] },
    });
    const connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    cli = (...args) => aisoc([...connection, ...args]);
    ok = async (...args) => {
      const r = await cli(...args);
      expect(r.code, `aisoc ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return args.includes('json') ? JSON.parse(r.stdout) : r.stdout;
    };
    dirs.keys = keys;
    dirs.v1 = modelDir('bc-v1');
    dirs.v2 = modelDir('bc-v2', 'retrained on 2026-11\n');
    dirs.data = join(t.dir, 'credit-2026-11');
    mkdirSync(dirs.data);
    writeFileSync(join(dirs.data, 'train.csv'), 'age,income,label\n31,5200,1\n45,,0\n29,4100,1\n');
    writeFileSync(
      join(dirs.data, 'extra.jsonl'),
      '{"age": 52, "income": 7100, "label": "unknown"}\n{"age": 38, "income": 3900, "label": "1"}\n',
    );
    for (const v of ['v1', 'v2'])
      expect(
        (
          await aisoc([
            'sign',
            dirs[v]!,
            '--private-key',
            join(keys, 'release.pem'),
            '--output',
            join(t.dir, `${v}.sig`),
          ])
        ).code,
      ).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  it('registers, approves and deploys signed versions; answers lineage at a time; rolls back', async () => {
    // The model is new: --owner registers it; the manifest is hashed here and matches the server's.
    const v1 = await ok(
      'registry',
      'register',
      'breast-cancer',
      'v1',
      dirs.v1!,
      '--signature',
      join(t.dir, 'v1.sig'),
      '--location',
      '--owner',
      'ml-team',
      '--criticality',
      'high',
      '--format',
      'json',
    );
    expect(v1.manifestDigest).toBe((await hashModel(dirs.v1!)).rootDigest);
    expect(v1.localDigest).toBe(v1.manifestDigest);
    expect(v1.location).toBe(dirs.v1);
    expect(v1.state).toBe('registered');
    expect(v1.signature).toContain('dsse');
    const v2 = await ok(
      'registry',
      'register',
      'breast-cancer',
      'v2',
      dirs.v2!,
      '--signature',
      join(t.dir, 'v2.sig'),
      '--location',
      '--format',
      'json',
    );
    expect(v2.files.map((f: { path: string }) => f.path)).toEqual(['NOTES.md', 'model.onnx']);

    await ok(
      'registry',
      'dataset',
      'add',
      'credit',
      '--owner',
      'data-team',
      '--classification',
      'confidential',
    );
    const snap = await ok(
      'registry',
      'snapshot',
      'add',
      'credit',
      dirs.data!,
      '--label',
      '2026-11',
      '--format',
      'json',
    );
    expect(snap.rowCount).toBe(5);
    expect(snap.files).toEqual([
      expect.objectContaining({ path: 'extra.jsonl', rows: 2 }),
      expect.objectContaining({ path: 'train.csv', rows: 3 }),
    ]);
    expect(snap.schema).toEqual({ columns: { age: 'number', income: 'number', label: 'mixed' } });
    expect(snap.manifestDigest).toBe((await hashModel(dirs.data!)).rootDigest);
    const [credit] = await ok('registry', 'datasets', '--format', 'json');
    expect(credit.name).toBe('credit');
    expect(credit.dataClassification).toBe('confidential');
    expect(credit.snapshots.map((x: { label: string }) => x.label)).toEqual(['2026-11']);
    await ok(
      'registry',
      'run',
      'add',
      '--code-revision',
      'git:4f2a9c1',
      '--inputs',
      'credit@2026-11',
      '--outputs',
      'breast-cancer@v1,breast-cancer@v2',
      '--params',
      '{"lr":0.1,"epochs":3}',
    );

    for (const v of ['v1', 'v2'])
      expect(
        await ok('registry', 'approve', 'breast-cancer', v, '--reason', 'release review'),
      ).toContain(`breast-cancer@${v} is now approved`);
    await ok('registry', 'deploy', 'breast-cancer', 'v1', '--reason', 'first release');
    const servingV1 = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await ok('registry', 'deploy', 'breast-cancer', 'v2', '--reason', 'retrained');

    // "What data and code produced the model answering breast-cancer at that time?"
    const then = await ok(
      'lineage',
      'endpoint',
      'breast-cancer',
      '--at',
      servingV1,
      '--format',
      'json',
    );
    expect(then.version.version).toBe('v1');
    expect(then.stateAt).toBe('deployed');
    expect(then.runs).toHaveLength(1);
    expect(then.runs[0].run.codeRevision).toBe('git:4f2a9c1');
    expect(then.runs[0].run.params).toEqual({ lr: 0.1, epochs: 3 });
    expect(then.runs[0].inputs[0].dataset).toBe('credit');
    expect(then.runs[0].inputs[0].snapshot.label).toBe('2026-11');
    expect(
      (await ok('lineage', 'endpoint', 'breast-cancer', '--format', 'json')).version.version,
    ).toBe('v2');
    const table = await ok('lineage', 'endpoint', 'breast-cancer', '--at', servingV1);
    expect(table).toMatch(/served breast-cancer@v1 \(deployed then\)/);
    expect(table).toMatch(/git:4f2a9c1.*credit@2026-11/);

    // Rollback to the known-good v1: the gateway answers with v1, the history records it.
    expect(await ok('rollback', 'breast-cancer', '--to', 'v1', '--reason', 'incident 7')).toContain(
      'now pinned to v1',
    );
    const now = await ok('lineage', 'endpoint', 'breast-cancer', '--format', 'json');
    expect(now.version.version).toBe('v1');
    expect(now.deployment.reason).toBe('rollback: incident 7');
    const { secret } = (await t.admin('/api/v1/keys', { body: { principal: 'app' } })).json;
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(await demoRows('breast-cancer', 'holdout', 1)),
    });
    expect(((await res.json()) as { model_version: string }).model_version).toBe('v1');

    const shown = await ok('registry', 'show', 'breast-cancer', '--format', 'json');
    expect(
      shown.versions.map((v: { version: string; state: string }) => [v.version, v.state]),
    ).toEqual([
      ['v1', 'deployed'],
      ['v2', 'approved'],
    ]);
    expect(shown.versions[1].history.map((h: { state: string }) => h.state)).toEqual([
      'approved',
      'deployed',
      'approved',
    ]);
    expect(shown.deployments.map((d: { version: string }) => d.version)).toEqual([
      'v1',
      'v2',
      'v1',
    ]);
    expect(shown.deployments.map((d: { until: string | null }) => d.until === null)).toEqual([
      false,
      false,
      true,
    ]);
    const one = await ok('registry', 'show', 'breast-cancer', 'v2');
    expect(one).toMatch(/history of breast-cancer@v2/);
    expect(one).not.toMatch(/history of breast-cancer@v1/);

    // "What was trained on credit@2026-11, and where is it deployed?"
    const trained = await ok('lineage', 'snapshot', 'credit', '2026-11', '--format', 'json');
    expect(
      trained.versions.map(
        (v: { version: { version: string }; state: string; liveEndpoints: string[] }) => [
          v.version.version,
          v.state,
          v.liveEndpoints,
        ],
      ),
    ).toEqual([
      ['v1', 'deployed', ['breast-cancer']],
      ['v2', 'approved', []],
    ]);
    expect(await ok('lineage', 'snapshot', 'credit', '2026-11')).toMatch(
      /v1\s+deployed\s+breast-cancer/,
    );
    expect(await ok('registry', 'models')).toMatch(/breast-cancer\s+ml-team\s+high/);

    // A fingerprint of v1, recorded by probing the gateway on the version's own route.
    const probes = join(t.dir, 'probes.jsonl');
    const rows = await demoRows('breast-cancer', 'holdout', 2);
    writeFileSync(
      probes,
      rows
        .map((r, i) => JSON.stringify({ id: `p${i}`, input: JSON.parse(kserveBody([r])) }))
        .join('\n'),
    );
    const fp = await ok(
      'registry',
      'fingerprint',
      'breast-cancer',
      'v1',
      '--probes',
      probes,
      '--tolerance',
      '0.01',
      '--format',
      'json',
    );
    expect(JSON.stringify(fp)).toContain('p1');

    // Snapshots can be quarantined (suspected poisoning); lineage shows it.
    await ok(
      'registry',
      'snapshot',
      'quarantine',
      'credit',
      '2026-11',
      '--reason',
      'label flips found',
    );
    expect((await ok('lineage', 'snapshot', 'credit', '2026-11', '--format', 'json')).state).toBe(
      'quarantined',
    );
  }, 300_000);

  it('registers a remote version from its files hashed here and its upstream URL', async () => {
    const remote = await ok(
      'registry',
      'register',
      'breast-cancer',
      'remote1',
      dirs.v1!,
      '--signature',
      join(t.dir, 'v1.sig'),
      '--upstream',
      'http://127.0.0.1:9/models/bc',
      '--format',
      'json',
    );
    expect(remote.location).toBeNull();
    expect(remote.upstream).toBe('http://127.0.0.1:9/models/bc');
    expect(remote.files).toEqual((await hashModel(dirs.v1!)).files);
    // The signature covers exactly those files, so admission accepts it without the files here.
    await ok('registry', 'approve', 'breast-cancer', 'remote1', '--reason', 'remote release');
  }, 120_000);

  it('uploads a single file, and refuses to approve it unsigned (exit 3)', async () => {
    const file = join(dirs.v1!, 'model.onnx');
    const up = await ok(
      'registry',
      'register',
      'breast-cancer',
      'up1',
      file,
      '--upload',
      '--format',
      'json',
    );
    expect(up.location).toBe(join(t.dir, 'artifacts', up.files[0].digest, 'model.onnx'));
    expect(up.manifestDigest).toBe((await hashModel(file)).rootDigest);
    const refused = await cli('registry', 'approve', 'breast-cancer', 'up1', '--reason', 'try');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/REGISTRY_\w+: .*up1/);
  }, 120_000);

  it('refuses tampered files and a location that holds other files (exit 3), naming them', async () => {
    const dir = modelDir('bc-v3');
    expect(
      (
        await aisoc([
          'sign',
          dir,
          '--private-key',
          join(dirs.keys!, 'release.pem'),
          '--output',
          join(t.dir, 'v3.sig'),
        ])
      ).code,
    ).toBe(0);
    await ok(
      'registry',
      'register',
      'breast-cancer',
      'v3',
      dir,
      '--signature',
      join(t.dir, 'v3.sig'),
      '--location',
    );
    appendFileSync(join(dir, 'model.onnx'), Buffer.from([0]));
    const approve = await cli('registry', 'approve', 'breast-cancer', 'v3', '--reason', 'review');
    expect(approve.code).toBe(3);
    expect(approve.stderr).toContain('model.onnx');
    // PATH hashed here differs from what the server finds at --location.
    const mismatch = await cli(
      'registry',
      'register',
      'breast-cancer',
      'v4',
      dirs.v1!,
      '--server-path',
      dirs.v2!,
    );
    expect(mismatch.code).toBe(3);
    expect(mismatch.stderr).toMatch(/CLI_DIGEST_MISMATCH: breast-cancer@v4 was registered/);
  }, 120_000);

  it('rejects hostile or broken arguments with the argument named, before calling the server', async () => {
    const probes = join(t.dir, 'bad-probes.jsonl');
    writeFileSync(probes, '{"id":"a","input":{}}\nnot json\n');
    const cases: [string[], number, RegExp][] = [
      [
        [
          'registry',
          'register',
          'breast-cancer',
          'x1',
          join(dirs.v1!, 'model.onnx'),
          '--upload',
          '--filename',
          '../../etc/evil.onnx',
        ],
        2,
        /--filename: "..\/..\/etc\/evil.onnx" must match/,
      ],
      [
        ['registry', 'register', 'breast-cancer', 'x2', join(t.dir, 'missing')],
        2,
        /PATH: .*missing does not exist/,
      ],
      [
        [
          'registry',
          'register',
          'breast-cancer',
          'x3',
          dirs.v1!,
          '--signature',
          join(t.dir, 'nope.sig'),
        ],
        2,
        /--signature: .*nope.sig does not exist/,
      ],
      [
        ['registry', 'register', 'breast-cancer', 'x4', dirs.v1!, '--upload'],
        2,
        /--upload sends one file/,
      ],
      [
        ['registry', 'register', 'fresh-model', 'x5', dirs.v1!],
        2,
        /model fresh-model is not registered yet; give --owner/,
      ],
      [
        ['registry', 'register', 'breast-cancer', 'x6', dirs.v1!, '--owner', 'someone-else'],
        2,
        /--owner: model breast-cancer is registered with ml-team/,
      ],
      [
        ['lineage', 'endpoint', 'breast-cancer', '--at', 'yesterday'],
        2,
        /--at: "yesterday" is not an ISO 8601 time/,
      ],
      [['lineage', 'endpoint', 'breast-cancer', '--at', '2026-13-45T99:00:00Z'], 2, /--at: /],
      [['registry', 'models', '--format', 'xml'], 2, /format/],
      [
        ['registry', 'run', 'add', '--code-revision', 'r', '--params', '[1]'],
        2,
        /--params: must be a JSON object/,
      ],
      [
        ['registry', 'run', 'add', '--code-revision', 'r', '--inputs', 'credit'],
        2,
        /--inputs: "credit" is not NAME@VERSION/,
      ],
      [
        [
          'registry',
          'fingerprint',
          'breast-cancer',
          'v1',
          '--probes',
          probes,
          '--tolerance',
          '0.1',
        ],
        2,
        /--probes .*bad-probes.jsonl:2: not JSON/,
      ],
      [
        ['registry', 'fingerprint', 'breast-cancer', 'v1', '--probes', probes, '--tolerance', '-1'],
        2,
        /--tolerance: expected a number >= 0/,
      ],
      [['registry', 'show', 'no-such-model'], 6, /REGISTRY_NOT_FOUND: .*no-such-model/],
      [
        ['registry', 'show', 'breast-cancer', 'v99'],
        6,
        /NOT_FOUND: breast-cancer has no version "v99"/,
      ],
      [['registry', 'approve', 'no-such-model', '1', '--reason', 'x'], 6, /REGISTRY_NOT_FOUND/],
      [['lineage', 'snapshot', 'credit', 'never'], 6, /REGISTRY_NOT_FOUND: .*credit@never/],
      [
        ['registry', 'run', 'add', '--code-revision', 'r', '--outputs', 'ghost@1'],
        6,
        /REGISTRY_NOT_FOUND/,
      ],
      [
        ['registry', 'register', 'breast-cancer', 'bad name', dirs.v1!],
        2,
        /REGISTRY_INPUT_INVALID: version: version: letters/,
      ],
    ];
    const results: Awaited<ReturnType<typeof cli>>[] = [];
    for (let i = 0; i < cases.length; i += 4)
      // a few at a time: the machine is small
      results.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => cli(...args)))));
    results.forEach((r, i) => {
      const [args, code, message] = cases[i]!;
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(message);
    });
    // Nothing was registered by the refused commands.
    const versions = (
      await ok('registry', 'show', 'breast-cancer', '--format', 'json')
    ).versions.map((v: { version: string }) => v.version);
    expect(versions.some((v: string) => v.startsWith('x') || v === 'bad name')).toBe(false);
  }, 180_000);
});
