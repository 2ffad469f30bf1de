import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../support/aisoc.js';
import { runCli as aisoc } from '../support/cli.js';

// Every command group's not-found, bad-argument, unreachable and refused cases, against the
// exit code table in docs/cli.md, with real CLI child processes and a real server.
interface Case {
  args: string[];
  code: number;
  stderr: RegExp;
  /** Global options to use instead of the test server's --url and --token-file. */
  connection?: string[];
}

// Each case is a node + tsx child process: slow on a busy machine, hence the long timeout.
describe('aisoc exit codes and error messages', { timeout: 300_000 }, () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let connection: string[];
  let cfg: string[];

  beforeAll(async () => {
    t = await startTestAisoc();
    connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    const config = join(t.dir, 'cli.yaml');
    writeFileSync(
      config,
      `dataDir: ${t.dir}\nstore: { driver: sqlite, path: ${join(t.dir, 'aisoc.db')} }\nledger: { keyFile: ${t.config.ledger.keyFile} }\n`,
    );
    cfg = ['-c', config];
  });
  afterAll(async () => {
    await t.aisoc.close();
  });

  const check = async (cases: Case[]) => {
    const results = await Promise.all(
      cases.map((c) => aisoc([...(c.connection ?? connection), ...c.args])),
    );
    results.forEach((r, i) => {
      const c = cases[i]!;
      expect({ args: c.args, code: r.code, stderr: r.stderr }).toMatchObject({
        args: c.args,
        code: c.code,
      });
      expect(r.stderr).toMatch(c.stderr);
      expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    });
  };

  it('exits 6 when the server has no such key, model, action, incident, playbook or version', async () => {
    await check([
      { args: ['keys', 'suspend', 'key_nope', '--reason', 'x'], code: 6, stderr: /key_nope/ },
      { args: ['keys', 'reinstate', 'key_nope'], code: 6, stderr: /NOT_FOUND: no API key/ },
      {
        args: ['policy', 'isolate', 'nosuchmodel', '--reason', 'x'],
        code: 6,
        stderr: /ACTION_TARGET_UNKNOWN/,
      },
      { args: ['policy', 'lift', 'act_nope'], code: 6, stderr: /act_nope/ },
      { args: ['incidents', 'show', 'inc_nope'], code: 6, stderr: /RESPOND_INCIDENT_UNKNOWN/ },
      {
        args: ['playbooks', 'run', 'nosuch', '--incident', 'inc_nope'],
        code: 6,
        stderr: /_UNKNOWN/,
      },
      { args: ['registry', 'show', 'nosuch'], code: 6, stderr: /REGISTRY_NOT_FOUND/ },
    ]);
  });

  it('exits 6 for a ledger proof of an entry the tree does not have', async () => {
    await t.aisoc.ledger.flush();
    await check([
      {
        args: ['ledger', 'prove', '--seq', '999999', '--stream', 'audit'],
        code: 6,
        stderr: /LEDGER_PROOF_RANGE/,
        connection: cfg,
      },
    ]);
  });

  it('exits 2 naming the argument for bad options, missing files and invalid URLs', async () => {
    const missing = join(t.dir, 'missing.pem');
    await check([
      { args: ['keys', 'create'], code: 2, stderr: /--principal/ },
      {
        args: ['keys', 'create', '--principal', 'p', '--rate', 'abc'],
        code: 2,
        stderr: /positive number/,
      },
      { args: ['events', '--format', 'xml'], code: 2, stderr: /table, json, jsonl, csv/ },
      { args: ['alerts', '--limit', '-1'], code: 2, stderr: /positive number/ },
      {
        args: ['sign', t.dir, '--private-key', missing],
        code: 2,
        stderr: /CLI_FILE_UNREADABLE: --private-key: .*missing\.pem does not exist/,
      },
      {
        args: ['verify', t.dir, '--signature', join(t.dir, 'nope.sig'), '--public-key', missing],
        code: 2,
        stderr: /--signature: .*nope\.sig does not exist/,
      },
      {
        args: ['keys', 'list'],
        code: 2,
        stderr: /CLI_URL_INVALID: --url: "localhost:17081" is not a valid URL/,
        connection: ['--url', 'localhost:17081', '--token-file', t.config.admin.tokenFile],
      },
      {
        args: ['policy', 'isolate', 'digits', '--reason', 'x', '--fallback', '{nope'],
        code: 2,
        stderr: /--fallback is not valid JSON/,
      },
    ]);
  });

  it('exits 4 when no server answers, for every group that talks to one', async () => {
    const down = ['--url', 'http://127.0.0.1:9', '--token-file', t.config.admin.tokenFile];
    await check(
      [
        ['keys', 'list'],
        ['policy', 'list'],
        ['events'],
        ['incidents', 'list'],
        ['registry', 'models'],
      ].map((args) => ({
        args,
        code: 4,
        stderr: /CLI_SERVER_UNREACHABLE: cannot reach/,
        connection: down,
      })),
    );
  });

  it('exits 7 when the token is rejected or the request is refused in this state', async () => {
    const wrong = join(t.dir, 'wrong.token');
    writeFileSync(wrong, 'not-the-token\n');
    const created = await t.admin('/api/v1/keys', { body: { principal: 'gone' } });
    const keyId = created.json.key.id as string;
    const revoked = await aisoc([...connection, 'keys', 'revoke', keyId, '--reason', 'test']);
    expect(revoked.code).toBe(0);
    await check([
      {
        args: ['keys', 'list'],
        code: 7,
        stderr: /CLI_TOKEN_REJECTED: token rejected: .*wrong\.token/,
        connection: ['--url', t.aisoc.adminUrl, '--token-file', wrong],
      },
      {
        args: ['keys', 'reinstate', keyId],
        code: 7,
        stderr: /CLI_REFUSED: key \S+ is revoked/,
      },
    ]);
  });
});
