import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli as aisoc } from '../support/cli.js';

const root = join(import.meta.dirname, '..', '..');

describe('the aisoc CLI', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let connection: string[];

  beforeAll(async () => {
    t = await startTestAisoc();
    connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  it('creates, lists and suspends keys through the running server', async () => {
    const created = await aisoc([
      ...connection,
      'keys',
      'create',
      '--principal',
      'cli-team',
      '--models',
      'digits',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { key, secret } = JSON.parse(created.stdout) as { key: { id: string }; secret: string };
    expect(secret).toMatch(/^aisoc_/);
    expect(
      (await aisoc([...connection, 'keys', 'suspend', key.id, '--reason', 'cli test'])).code,
    ).toBe(0);
    const listed = await aisoc([...connection, 'keys', 'list', '--json']);
    expect(JSON.parse(listed.stdout).find((k: { id: string }) => k.id === key.id).state).toBe(
      'suspended',
    );
    expect((await aisoc([...connection, 'keys', 'reinstate', key.id])).stdout).toContain(
      'lifted 1',
    );
  });

  it('lists the detectors and their drift windows, and the alerts', async () => {
    const detectors = await aisoc([
      ...connection,
      'detectors',
      '--model',
      'breast-cancer',
      '--json',
    ]);
    expect(detectors.code).toBe(0);
    const names = (JSON.parse(detectors.stdout) as { detectors: { name: string }[] }).detectors.map(
      (d) => d.name,
    );
    expect(names).toEqual(
      expect.arrayContaining(['drift', 'extraction:breast-cancer', 'extraction:digits']),
    );
    const alerts = await aisoc([...connection, 'alerts', '--json']);
    expect(alerts.code).toBe(0);
    expect(Array.isArray(JSON.parse(alerts.stdout))).toBe(true);
  });

  it('exits 2 on a usage error and 4 when no server answers', async () => {
    expect((await aisoc(['keys', 'create'])).code).toBe(2);
    const down = await aisoc([
      '--url',
      'http://127.0.0.1:9',
      '--token-file',
      t.config.admin.tokenFile,
      'keys',
      'list',
    ]);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('CLI_SERVER_UNREACHABLE');
  });

  it('exits 5 listing every config problem', async () => {
    const bad = await aisoc([
      '-c',
      join(root, 'test', 'fixtures', 'config', 'invalid.yaml'),
      'ledger',
      'public-key',
    ]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('gateway.port');
    expect(bad.stderr).toContain('models[0].versions');
  });

  it('verifies the ledger, and after tampering exits 3 naming the first bad entry', async () => {
    const cfg = ['-c', join(t.dir, 'cli.yaml')];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(t.dir, 'cli.yaml'),
      `dataDir: ${t.dir}\nstore: { driver: sqlite, path: ${t.config.store.driver === 'sqlite' ? t.config.store.path : ''} }\nledger: { keyFile: ${t.config.ledger.keyFile} }\n`,
    );
    await t.aisoc.ledger.flush();
    const ok = await aisoc([...cfg, 'ledger', 'verify']);
    expect(ok.stdout).toMatch(/ok\s+audit: [1-9]\d* entries/);
    expect(ok.code).toBe(0);

    const store = await createStore(t.config.store);
    try {
      await sql`drop trigger ledger_entries_refuse_update`.execute(store.db);
      await sql`update ledger_entries set payload = replace(payload, 'cli-team', 'someone-else') where stream = 'audit'`.execute(
        store.db,
      );
    } finally {
      await store.close();
    }
    const tampered = await aisoc([...cfg, 'ledger', 'verify', '--stream', 'audit']);
    expect(tampered.code).toBe(3);
    expect(tampered.stdout).toMatch(/TAMPERED audit: first bad entry seq \d+/);
  });

  it('init creates the admin token and the signing key readable by the owner only', async () => {
    const { mkdtempSync, statSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-init-'));
    writeFileSync(join(dir, 'aisoc.yaml'), 'dataDir: state\n');
    const first = await aisoc(['-c', join(dir, 'aisoc.yaml'), 'init']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('ledger.key');
    for (const file of ['state/admin.token', 'state/ledger.key']) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    const again = await aisoc(['-c', join(dir, 'aisoc.yaml'), 'init']);
    expect(again.stdout).toContain('nothing to do');
    const key = await aisoc(['-c', join(dir, 'aisoc.yaml'), 'ledger', 'public-key', '--json']);
    expect(JSON.parse(key.stdout).verifierKey).toMatch(/^aisoc\.local\/ledger\+[0-9a-f]{8}\+/);
  });

  it('exports signed checkpoints to a witness file, appending only new ones', async () => {
    await t.aisoc.ledger.flush();
    const cfg = ['-c', join(t.dir, 'cli.yaml')];
    const witness = join(t.dir, 'witness.txt');
    const first = await aisoc([
      ...cfg,
      'ledger',
      'export-checkpoints',
      witness,
      '--stream',
      'audit',
    ]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).appended).toBeGreaterThan(0);
    const second = await aisoc([
      ...cfg,
      'ledger',
      'export-checkpoints',
      witness,
      '--stream',
      'audit',
    ]);
    expect(JSON.parse(second.stdout).appended).toBe(0);
  });
});
