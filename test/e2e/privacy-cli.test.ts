import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels } from '../../src/app/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';

type T = Awaited<ReturnType<typeof startTestAisoc>>;

// Issue 19 through the real CLI: `aisoc privacy export|erase|rotate-kek` against a running
// server, with their exit codes and messages, and the roles that may and may not use them.
describe('aisoc privacy (CLI)', { timeout: 300_000 }, () => {
  let t: T;
  let asAdmin: string[];
  let asOfficer: string[];
  let asViewer: string[];
  const PATIENT = 'patient-cli-41';

  beforeAll(async () => {
    const models = demoModels().map((m) =>
      m.id === 'breast-cancer'
        ? {
            ...m,
            subject: '/parameters/patient_id',
            privacy: { defaultFeature: { policy: 'encrypt', personal: true } },
          }
        : m,
    );
    t = await startTestAisoc({ models });
    const secret = (await t.admin('/api/v1/keys', { body: { principal: 'clinic-1' } })).json
      .secret as string;
    for (const row of await demoRows('breast-cancer', 'reference', 2)) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...JSON.parse(kserveBody([row])),
          parameters: { patient_id: PATIENT },
        }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await t.aisoc.ledger.flush();
    const tokenFile = async (role: string) => {
      const user = await t.admin('/api/v1/users', { body: { name: `u-${role}`, role } });
      expect(user.status).toBe(201);
      const file = join(t.dir, `${role}.token`);
      writeFileSync(file, `${user.json.token as string}\n`, { mode: 0o600 });
      return ['--url', t.aisoc.adminUrl, '--token-file', file];
    };
    asAdmin = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    asOfficer = await tokenFile('privacy-officer');
    asViewer = await tokenFile('viewer');
  }, 120_000);
  afterAll(async () => t?.aisoc.close());

  const exportArgs = ['privacy', 'export', '--subject', PATIENT, '--reason', 'SAR 2026-41'];

  it('refuses a reveal to the admin (exit 7) and a viewer any privacy command', async () => {
    const admin = await runCli([...asAdmin, ...exportArgs, '--reveal']);
    expect(admin.code).toBe(7);
    expect(admin.stderr).toContain('PRIVACY_FORBIDDEN');
    const viewer = await runCli([
      ...asViewer,
      'privacy',
      'erase',
      '--subject',
      PATIENT,
      '--reason',
      'Art. 17',
    ]);
    expect(viewer.code).toBe(7);
  });

  it('exports for the officer with sealed fields opened, then erases, and the export says erased', async () => {
    const opened = await runCli([...asOfficer, ...exportArgs, '--reveal', '--format', 'json']);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    const body = JSON.parse(opened.stdout) as { erased: boolean; events: { sealed: string }[] };
    expect(body.erased).toBe(false);
    expect(body.events.map((e) => e.sealed)).toEqual(['opened', 'opened']);

    const erased = await runCli([
      ...asOfficer,
      'privacy',
      'erase',
      '--subject',
      PATIENT,
      '--reason',
      'Art. 17 request 41',
    ]);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^ps_[0-9a-f]{32}: data key destroyed/);
    const again = await runCli([
      ...asOfficer,
      'privacy',
      'erase',
      '--subject',
      PATIENT,
      '--reason',
      'Art. 17 request 41',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no data key held');

    const after = await runCli([...asOfficer, ...exportArgs]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/\(erased\): 2 events/);
  });

  it('refuses a reason that is too short with exit 2, and rotates the KEK', async () => {
    const short = await runCli([...asOfficer, 'privacy', 'rotate-kek', '--reason', 'x']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('reason');
    const rotated = await runCli([
      ...asOfficer,
      'privacy',
      'rotate-kek',
      '--reason',
      'after erasures',
    ]);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
  });
});
