import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kserveBody, demoRows } from '../support/aisoc.js';
import { startChildAisoc, writeChildConfig } from '../support/child-aisoc.js';
import { runCli as aisoc } from '../support/cli.js';
import { EVENT_CSV_COLUMNS } from '../../src/forensics/index.js';
import { cliCommand } from '../support/cli-bundle.js';

const root = join(import.meta.dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A shell pipeline `aisoc ARGS | head -1`, as a person types it. */
function pipedToHead(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const cli = [process.execPath, ...cliCommand(), ...args];
  const quoted = cli.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('sh', ['-c', `${quoted} | head -1`], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', () => resolve({ stdout, stderr })));
}

describe('aisoc serve --port/--admin-port and piping output', { timeout: 300_000 }, () => {
  let aisocChild: Awaited<ReturnType<typeof startChildAisoc>>;
  let connection: string[];
  let ports: { gateway: number; admin: number };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-operator-'));
    ports = { gateway: await freePort(), admin: await freePort() };
    aisocChild = await startChildAisoc(writeChildConfig(dir), [
      '--port',
      String(ports.gateway),
      '--admin-port',
      String(ports.admin),
    ]);
    connection = ['--url', aisocChild.adminUrl, '--token-file', join(dir, 'admin.token')];
  }, 120_000);
  afterAll(() => {
    aisocChild?.child.kill('SIGTERM');
  });

  it('listens on the ports given on the command line', () => {
    expect(aisocChild.gatewayUrl).toBe(`http://127.0.0.1:${ports.gateway}`);
    expect(aisocChild.adminUrl).toBe(`http://127.0.0.1:${ports.admin}`);
  });

  it('prints events as one JSON object per line, and ends quietly when piped to head', async () => {
    const rows = await demoRows('breast-cancer', 'holdout', 1);
    for (let i = 0; i < 150; i++) {
      const res = await fetch(`${aisocChild.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aisocChild.key}`, 'content-type': 'application/json' },
        body: kserveBody(rows),
      });
      expect(res.status).toBe(200);
    }
    // The ledger writes off the request path: wait until the events are readable.
    let lines: string[] = [];
    for (let attempt = 0; attempt < 30 && lines.length < 150; attempt++) {
      const r = await aisoc([...connection, 'events', '--limit', '150', '--format', 'jsonl']);
      expect(r.code).toBe(0);
      lines = r.stdout.trim().split('\n').filter(Boolean);
    }
    expect(lines).toHaveLength(150);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ model: 'breast-cancer' });

    const csv = await aisoc([...connection, 'events', '--limit', '2', '--format', 'csv']);
    expect(csv.stdout.split(/\r?\n/)[0]).toBe(EVENT_CSV_COLUMNS.join(','));

    // ~150 KB of output into a pipe whose reader leaves after one line: EPIPE, handled.
    const piped = await pipedToHead([
      ...connection,
      'events',
      '--limit',
      '150',
      '--format',
      'json',
    ]);
    expect(piped.stdout).toBe('[\n');
    expect(piped.stderr).toBe('');
  });
});
