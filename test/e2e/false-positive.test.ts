import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../../src/bus/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { runCli as aisoc } from '../support/cli.js';
import { eventually, testAlert } from '../support/respond.js';
import { checkAuditLedger } from '../support/audit-entries.js';

// The false-positive workflow through the composition root, the shipped playbooks, the admin
// API and the real CLI: a distinct-row batch scorer flagged as extraction, disposed of as a false
// positive, stays free while an attacker flagged beside it stays contained.
describe('disposing of a false positive from the CLI', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let connection: string[];
  let rows: number[][];
  const key = async (principal: string) => {
    const created = await t.admin('/api/v1/keys', { body: { principal } });
    return { id: created.json.key.id as string, secret: created.json.secret as string };
  };
  const infer = (secret: string) =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const flag = async (keyId: string, principal: string) => {
    await t.aisoc.bus.publish(
      Subjects.alertRaised,
      testAlert({ model: 'breast-cancer', principal, detector: 'extraction.novelty' }, keyId),
    );
  };
  const incidentOf = async (principal: string) =>
    eventually(async () =>
      (
        (await t.admin('/api/v1/incidents?limit=1000')).json.incidents as {
          id: string;
          principals: string[];
          timeToContainMs: number | null;
        }[]
      ).find((i) => i.principals.includes(principal) && i.timeToContainMs !== null),
    );

  beforeAll(async () => {
    t = await startTestAisoc();
    connection = ['--url', t.aisoc.adminUrl, '--token-file', t.config.admin.tokenFile];
    rows = await demoRows('breast-cancer', 'holdout', 1);
  }, 60_000);
  afterAll(async () => t.aisoc.close());

  it('lifts only the clinic, suppresses its finding and leaves the attacker contained', async () => {
    const clinic = await key('clinic');
    const thief = await key('thief');
    await flag(clinic.id, 'clinic');
    await flag(thief.id, 'thief');
    const fp = await incidentOf('clinic');
    const attack = await incidentOf('thief');
    expect(fp.id).not.toBe(attack.id);
    await eventually(() => t.aisoc.policy().rateLimits.has(clinic.id));
    // The contained client learns nothing about why: a generic 429 once its row bucket is spent.
    await infer(clinic.secret);
    const refused = await infer(clinic.secret);
    expect(refused.status).toBe(429);
    expect(refused.text).not.toMatch(/act_|rate_limit|extraction/);

    const disposed = await aisoc([
      ...connection,
      'incidents',
      'dispose',
      fp.id,
      '--false-positive',
      '--reason',
      'nightly batch of distinct patients',
      '--for',
      '2d',
      '--json',
    ]);
    expect(disposed.code, disposed.stderr).toBe(0);
    const result = JSON.parse(disposed.stdout);
    expect(result.incident).toMatchObject({
      phase: 'closed',
      disposition: { kind: 'false_positive' },
    });
    expect(result.suppressions).toEqual([
      expect.objectContaining({ subject: `key:${clinic.id}`, detector: 'extraction.novelty' }),
    ]);
    await eventually(() => !t.aisoc.policy().rateLimits.has(clinic.id));
    expect(t.aisoc.policy().rateLimits.has(thief.id)).toBe(true);
    expect((await infer(clinic.secret)).status).toBe(200);

    // The same finding again opens nothing.
    await flag(clinic.id, 'clinic');
    await new Promise((r) => setTimeout(r, 300));
    const open = (await t.admin('/api/v1/incidents?open=true')).json.incidents as {
      principals: string[];
    }[];
    expect(open.some((i) => i.principals.includes('clinic'))).toBe(false);

    const listed = await aisoc([...connection, 'suppressions', 'list', '--json']);
    expect(listed.code).toBe(0);
    const [suppression] = JSON.parse(listed.stdout);
    const metrics = await aisoc([...connection, 'incidents', 'metrics', '--format', 'json']);
    expect(JSON.parse(metrics.stdout)).toMatchObject({ falsePositives: 1 });
    expect((await aisoc([...connection, 'suppressions', 'revoke', suppression.id])).code).toBe(0);
    expect(
      JSON.parse((await aisoc([...connection, 'suppressions', 'list', '--json'])).stdout),
    ).toEqual([]);
    const bad = await aisoc([
      ...connection,
      'incidents',
      'dispose',
      attack.id,
      '--false-positive',
      '--reason',
      'x',
      '--for',
      'forever',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--for takes a duration');
    expect(t.aisoc.policy().rateLimits.has(thief.id)).toBe(true);
  }, 120_000);

  it('writes only audit entries that match AuditEntrySchema', async () => {
    await t.aisoc.ledger.flush();
    const { problems, types } = await checkAuditLedger(t.aisoc.store);
    expect(problems).toEqual([]);
    expect(types.size).toBeGreaterThan(1);
  });
});
