import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows, kserveBody } from '../support/aisoc.js';
import { startChildAisoc, writeChildConfig } from '../support/child-aisoc.js';
import { runCli } from '../support/cli.js';

// Issue 18: the README's quick-start as a new user runs it (`aisoc serve --demo`, the curl it
// prints, `aisoc events`, `aisoc ledger verify`), then the usual mistakes, each with its
// documented exit code (docs/cli.md) and a message naming what was wrong.
describe('the README quick-start, and the mistakes a new user makes', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startChildAisoc>>;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisoc-quick-start-'));
    config = writeChildConfig(dir);
    server = await startChildAisoc(config, [], 100_000);
  }, 150_000);
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });
  // The server's admin port is a free one, so the CLI is told where it is, as docs/cli.md shows.
  const cli = (...args: string[]) =>
    runCli(['--url', server.adminUrl, '--token-file', join(dir, 'admin.token'), ...args], dir);

  it(
    'answers the printed request, lists it in events and verifies the ledger',
    { timeout: 240_000 },
    async () => {
      expect(server.output()).toContain('curl');
      const res = await fetch(`${server.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
        body: kserveBody(await demoRows('breast-cancer', 'holdout', 1)),
      });
      expect(res.status).toBe(200);
      const requestId = res.headers.get('x-request-id')!;
      await new Promise((r) => setTimeout(r, 500)); // async durability: written within a batch
      let events = await cli('events', '--limit', '5', '--format', 'jsonl');
      for (let i = 0; i < 3 && !events.stdout.includes(requestId); i++)
        events = await cli('events', '--limit', '5', '--format', 'jsonl');
      expect(events.code, events.stderr).toBe(0);
      expect(events.stdout).toContain(requestId);
      const verify = await runCli(['-c', config, 'ledger', 'verify', '--allow-unsigned-tail'], dir);
      expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    },
  );

  it(
    "runs the README's key, containment and ledger commands as written",
    { timeout: 240_000 },
    async () => {
      const created = await cli('keys', 'create', '--principal', 'fraud-team');
      expect(created.code, created.stderr).toBe(0);
      const keyId = /key_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
      expect(keyId, created.stdout).toBeDefined();
      const suspended = await cli('keys', 'suspend', keyId!, '--reason', 'extraction suspected');
      expect(suspended.code, suspended.stderr).toBe(0);
      const fallback = '{"kind":"static","status":200,"body":{"label":1}}';
      const isolated = await cli(
        'policy',
        'isolate',
        'breast-cancer',
        '--reason',
        'drill',
        '--fallback',
        fallback,
      );
      expect(isolated.code, isolated.stderr).toBe(0);
      const actionId = /act_[A-Za-z0-9_-]+/.exec(isolated.stdout)?.[0];
      expect(actionId, isolated.stdout).toBeDefined();
      const listed = await cli('policy', 'list');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(actionId!);
      const lifted = await cli('policy', 'lift', actionId!);
      expect(lifted.code, lifted.stderr).toBe(0);
      const checkpoint = await runCli(['-c', config, 'ledger', 'checkpoint'], dir);
      expect(checkpoint.code, checkpoint.stderr).toBe(0);
    },
  );

  it('exits 6 on an unknown key, naming it', async () => {
    const r = await cli('keys', 'suspend', 'key_nope', '--reason', 'test');
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('key_nope');
  });

  it('exits 2 on an unknown tabletop scenario, naming it and the known ones', async () => {
    const r = await cli('drill', 'tabletop', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nosuch');
    expect(r.stderr).toContain('healthcare');
  });

  it('refuses a wrong admin token (exit 7), saying the token was rejected', async () => {
    const wrong = join(dir, 'wrong.token');
    writeFileSync(wrong, 'not-the-admin-token-0123456789\n', { mode: 0o600 });
    const r = await runCli(['--url', server.adminUrl, '--token-file', wrong, 'events'], dir);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/token rejected/);
    expect(r.stderr).toContain(wrong);
  });

  it('exits 2 on a bad --format, naming the choices', async () => {
    const r = await cli('events', '--format', 'yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format'); // names the option (the value itself is not echoed)
    expect(r.stderr).toMatch(/table.*json/);
  });
});
