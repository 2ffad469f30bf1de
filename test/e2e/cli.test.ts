import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { startTestAisoc } from '../support/aisoc.js';

const root = join(import.meta.dirname, '..', '..');

function aisoc(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

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

  it('creates, lists and suspends keys through the running server', () => {
    const created = aisoc([...connection, 'keys', 'create', '--principal', 'cli-team', '--models', 'digits', '--json']);
    expect(created.code).toBe(0);
    const { key, secret } = JSON.parse(created.stdout) as { key: { id: string }; secret: string };
    expect(secret).toMatch(/^aisoc_/);
    expect(aisoc([...connection, 'keys', 'suspend', key.id, '--reason', 'cli test']).code).toBe(0);
    const listed = aisoc([...connection, 'keys', 'list', '--json']);
    expect(JSON.parse(listed.stdout).find((k: { id: string }) => k.id === key.id).state).toBe('suspended');
    expect(aisoc([...connection, 'keys', 'reinstate', key.id]).stdout).toContain('lifted 1');
  });

  it('exits 2 on a usage error and 4 when no server answers', () => {
    expect(aisoc(['keys', 'create']).code).toBe(2);
    const down = aisoc(['--url', 'http://127.0.0.1:9', '--token-file', t.config.admin.tokenFile, 'keys', 'list']);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('CLI_SERVER_UNREACHABLE');
  });

  it('exits 5 listing every config problem', () => {
    const bad = aisoc(['-c', join(root, 'test', 'fixtures', 'config', 'invalid.yaml'), 'ledger', 'public-key']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('gateway.port');
    expect(bad.stderr).toContain('models[0].versions');
  });

  it('verifies the ledger, and after tampering exits 3 naming the first bad entry', async () => {
    const cfg = ['-c', join(t.dir, 'cli.yaml')];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(t.dir, 'cli.yaml'), `dataDir: ${t.dir}\nstore: { driver: sqlite, path: ${t.config.store.driver === 'sqlite' ? t.config.store.path : ''} }\nledger: { keyFile: ${t.config.ledger.keyFile} }\n`);
    await t.aisoc.ledger.flush();
    const ok = aisoc([...cfg, 'ledger', 'verify']);
    expect(ok.stdout).toMatch(/ok\s+audit: [1-9]\d* entries/);
    expect(ok.code).toBe(0);

    const store = await createStore(t.config.store);
    try {
      await sql`drop trigger ledger_entries_refuse_update`.execute(store.db);
      await sql`update ledger_entries set payload = replace(payload, 'cli-team', 'someone-else') where stream = 'audit'`.execute(store.db);
    } finally {
      await store.close();
    }
    const tampered = aisoc([...cfg, 'ledger', 'verify', '--stream', 'audit']);
    expect(tampered.code).toBe(3);
    expect(tampered.stdout).toMatch(/TAMPERED audit: first bad entry seq \d+/);
  });
});
