import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../../src/bus/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { eventually, testAlert } from '../support/respond.js';
import { checkAuditLedger } from '../support/audit-entries.js';

// Time-to-contain through the real composition root: alert on the bus → incident → shipped
// playbook → action service → policy channel → gateway snapshot → ack, then real HTTP.
describe('aisoc respond end to end on the embedded defaults', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let secret: string;
  let keyId: string;
  let rows: number[][];
  const infer = () =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    }).then(async (r) => (await r.arrayBuffer(), r.status));

  beforeAll(async () => {
    // Every alert its own incident, so that each one measures a fresh containment.
    t = await startTestAisoc({ respond: { correlationWindowMs: 0, dedupWindowMs: 0 } });
    const created = await t.admin('/api/v1/keys', { body: { principal: 'scraper-inc' } });
    secret = created.json.secret;
    keyId = created.json.key.id;
    rows = await demoRows('breast-cancer', 'holdout', 1);
  });
  afterAll(async () => t.aisoc.close());

  it('contains extraction alerts at the gateway in under 100 ms (median of 5) and shows them through the API', async () => {
    expect(await infer()).toBe(200);
    // Four more keys, so that each incident contains a key not yet limited (a rate limit never
    // loosens one in force, so a second incident about one key finds it contained already).
    const keys = [keyId];
    for (let i = 1; i < 5; i++)
      keys.push(
        (await t.admin('/api/v1/keys', { body: { principal: `scraper-${i}` } })).json.key.id,
      );
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const time = new Date(Date.now() - (10 - i) * 60_000).toISOString();
      await t.aisoc.bus.publish(
        Subjects.alertRaised,
        testAlert({ model: 'breast-cancer', principal: `scraper-${i}`, time }, keys[i]),
      );
      const incident = await eventually(async () => {
        const list = (await t.admin('/api/v1/incidents')).json.incidents;
        const found = list.find(
          (x: { principals: string[] }) => x.principals[0] === `scraper-${i}`,
        );
        return found?.timeToContainMs != null ? found : undefined;
      });
      times.push(incident.timeToContainMs);
    }
    const median = [...times].sort((a, b) => a - b)[2]!;
    process.stdout.write(
      `time-to-contain (alert → every gateway acked), embedded, ms: ${times.join(', ')}; median ${median}\n`,
    );
    expect(median).toBeLessThan(100);
    for (const key of keys) expect(t.aisoc.policy().rateLimits.get(key)?.ratePerSecond).toBe(0.2);
    expect([await infer(), await infer()]).toContain(429);
    const [latest] = (await t.admin('/api/v1/incidents')).json.incidents;
    const show = (await t.admin(`/api/v1/incidents/${latest.id}`)).json;
    expect(show.incident.severity.reasons[0]).toMatch(/criticality high/);
    expect(show.actions[0].action).toMatchObject({ kind: 'rate_limit', keyId: keys[4] });
    const enforced = show.timeline.find((e: { type: string }) => e.type === 'containment_enforced');
    expect(enforced.data).toMatchObject({ actionId: show.actions[0].id, action: 'rate_limit' });
  });

  it('writes every playbook step and every action to the audit ledger', async () => {
    await eventually(
      async () => (await t.admin('/api/v1/approvals?status=open')).json.approvals.length > 0,
    );
    // No webhook is configured: the request is escalated to a task, the approval stays open
    // and the key is not revoked without it.
    expect(t.aisoc.policy().keys.size).toBe(0);
    await t.aisoc.ledger.flush();
    const entries = (await t.admin('/api/v1/ledger/audit/entries?limit=1000')).json.entries;
    const types = entries.map((e: { payload: { type: string } }) => e.payload.type);
    expect(types).toContain('respond.action.applied');
    expect(types).toContain('respond.playbook.step');
    expect(types).toContain('respond.evidence.collected');
    const events = (await t.admin(`/api/v1/evidence`)).json.evidence.find(
      (e: { kind: string }) => e.kind === 'events',
    );
    expect(events.size).toBeGreaterThan(2); // the inference events of the window, read from the ledger
  });

  it('writes only audit entries that match AuditEntrySchema', async () => {
    await t.aisoc.ledger.flush();
    const { problems, types } = await checkAuditLedger(t.aisoc.store);
    expect(problems).toEqual([]);
    expect(types.size).toBeGreaterThan(1);
  });
});
