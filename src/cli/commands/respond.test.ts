import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../../test/support/respond.js';
import { createAdminApi, createRespondRoutes, type AdminServices } from '../../api/index.js';
import { loadPlaybookDir } from '../../respond/index.js';
import { runCli } from '../program.js';

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((t) => (out.push(String(t)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((t) => (err.push(String(t)), true));
  process.exitCode = 0;
  try {
    await runCli(['node', 'aisoc', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join(''), err: err.join(''), code };
}

describe('aisoc playbooks validate and test (offline)', () => {
  it('accepts the shipped playbooks', async () => {
    const r = await cli(['playbooks', 'validate', 'playbooks']);
    expect(r.code).toBe(0);
    expect(r.out.match(/^ok /gm)).toHaveLength(9);
  });

  it('prints file:line:column for every problem and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-pb-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'id: bad\nname: Bad\ntrigger:\n  kinds: [extraction]\nsteps:\n  - id: a\n    kind: contain\n    action: { kind: nuke }\n',
    );
    const r = await cli(['playbooks', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`${file}:8:\\d+ steps\\.0\\.action\\.kind`));
    expect(r.err).toMatch(/RESPOND_PLAYBOOK_INVALID/);
  });

  it('shows what a playbook would do for an alert, changing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-pb-'));
    writeFileSync(join(dir, 'alert.json'), JSON.stringify(testAlert({}, 'key_abc')));
    const r = await cli([
      'playbooks',
      'test',
      'playbooks/model-extraction.yaml',
      '--alert',
      join(dir, 'alert.json'),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\. \[throttle\] apply rate_limit .*"keyId":"key_abc"/);
    expect(r.out).toMatch(/ask role soc-lead to approve/);
  });
});

describe('aisoc incidents, approvals and evidence against a running API', () => {
  let rig: Rig;
  let server: ServerType;
  let base: string[];
  let incidentId: string;
  beforeAll(async () => {
    rig = await startRespondRig({ playbooks: await loadPlaybookDir('playbooks', ['soc']) });
    const api = createAdminApi({
      services: {} as AdminServices,
      token: 'cli-token',
      routes: [(actor) => createRespondRoutes(rig.responder, actor)],
    });
    const url = await new Promise<string>((resolve) => {
      server = serve({ fetch: api.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
    });
    const tokenFile = join(rig.dir, 'token');
    writeFileSync(tokenFile, 'cli-token');
    base = ['--url', url, '--token-file', tokenFile];
    incidentId = (await rig.responder.handleAlert(testAlert({}, rig.keyId))).incident.id;
    await eventually(
      async () => (await rig.responder.approvals.list({ status: 'open' })).length > 0,
    );
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rig.close();
  });

  it('lists and shows incidents with their severity reasons and ATLAS names', async () => {
    expect((await cli([...base, 'incidents', 'list'])).out).toContain(incidentId);
    await cli([...base, 'incidents', 'note', incidentId, 'seen', 'from', 'the', 'CLI']);
    const show = await cli([...base, 'incidents', 'show', incidentId]);
    expect(show.out).toMatch(/asset criticality critical/);
    expect(show.out).toMatch(/AML\.T0024\.002 Extract AI Model/);
    expect(show.out).toMatch(/"text":"seen from the CLI"/);
  });

  it("refuses an approval in the wrong role with the server's code", async () => {
    const [approval] = await rig.responder.approvals.list({ status: 'open' });
    const r = await cli([...base, 'approvals', 'approve', approval!.id, '--role', 'intern']);
    expect(r.code).toBe(7); // refused (HTTP 403), docs/cli.md
    expect(r.err).toMatch(/RESPOND_APPROVAL_WRONG_ROLE/);
  });
  // `evidence export` builds a signed bundle against the ledger: test/e2e/forensics.test.ts.
});
