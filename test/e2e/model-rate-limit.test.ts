import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../../src/bus/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';
import { eventually, testAlert } from '../support/respond.js';

// A model-wide rate limit through the real composition root: applied by a playbook step, the
// admin API or the CLI, enforced at the gateway for every key, and lifted live.
describe('rate_limit on a model or an endpoint, end to end', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const secrets: string[] = [];
  let rows: number[][];
  const PATH = '/v2/models/breast-cancer/infer';
  const infer = (secret: string, path = PATH) =>
    fetch(`${t.aisoc.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const statuses = async (n: number, path = PATH) => {
    const out: number[] = [];
    // Round-robin over the keys: no one key is over its own limit.
    for (let i = 0; i < n; i++) out.push((await infer(secrets[i % secrets.length]!, path)).status);
    return out;
  };

  beforeAll(async () => {
    const playbookDir = mkdtempSync(join(tmpdir(), 'aisoc-pb-'));
    writeFileSync(
      join(playbookDir, 'slow-model.yaml'),
      [
        'id: slow-model',
        'name: Slow every caller of a model under a distributed campaign',
        'trigger:',
        '  kinds: [extraction]',
        'steps:',
        '  - id: slow-model',
        '    kind: contain',
        "    action: { kind: rate_limit, model: '{{alert.model}}', ratePerSecond: 0.01, burst: 2 }",
        '',
      ].join('\n'),
    );
    t = await startTestAisoc({ respond: { playbookDir } });
    for (const principal of ['app-1', 'app-2', 'app-3'])
      secrets.push((await t.admin('/api/v1/keys', { body: { principal } })).json.secret);
    rows = await demoRows('breast-cancer', 'holdout', 1);
  });
  afterAll(async () => t.aisoc.close());

  const activeOn = async (model: string) =>
    (await t.admin('/api/v1/actions?active=true')).json.actions.filter(
      (a: { action: { kind: string; model?: string } }) =>
        a.action.kind === 'rate_limit' && a.action.model === model,
    ) as { id: string; action: Record<string, unknown> }[];

  it('a playbook step limits every key on the alert’s model; lifting serves them again', async () => {
    expect(await statuses(3)).toEqual([200, 200, 200]);
    await t.aisoc.bus.publish(
      Subjects.alertRaised,
      testAlert({ model: 'breast-cancer', principal: 'campaign' }, 'key_unknown'),
    );
    const [applied] = await eventually(async () => {
      const active = await activeOn('breast-cancer');
      return active.length > 0 ? active : undefined;
    });
    expect(applied!.action).toMatchObject({ model: 'breast-cancer', ratePerSecond: 0.01 });
    // Three keys that each sent one request: together they get the model's burst of two.
    const seen = await statuses(3);
    expect(seen).toEqual([200, 200, 429]);
    const refused = await infer(secrets[0]!);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'GATEWAY_RATE_LIMITED' });
    expect(refused.text).not.toMatch(/breast-cancer|act_/);
    // The other demo model is not limited.
    const digits = await demoRows('digits', 'holdout', 1);
    const other = await fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets[1]}`, 'content-type': 'application/json' },
      body: kserveBody(digits),
    });
    expect(other.status).toBe(200);

    const lifted = await t.admin(`/api/v1/actions/${applied!.id}/lift`, { body: {} });
    expect(lifted.json.status).toBe('lifted');
    expect(await statuses(6)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('the admin API applies an endpoint limit and refuses an endpoint that is no path of the model', async () => {
    const bad = await t.admin('/api/v1/actions', {
      body: {
        action: {
          kind: 'rate_limit',
          model: 'breast-cancer',
          endpoint: '/v2/models/digits/infer',
          ratePerSecond: 1,
          burst: 1,
        },
        reason: 'test',
      },
    });
    expect(bad.status).toBe(404);
    expect(bad.json).toMatchObject({ code: 'ACTION_TARGET_UNKNOWN' });
    expect(bad.json.message).toMatch(/of model "digits", not "breast-cancer"/);
    const neither = await t.admin('/api/v1/actions', {
      body: { action: { kind: 'rate_limit', ratePerSecond: 1, burst: 1 }, reason: 'test' },
    });
    expect(neither.status).toBe(400);
    expect(JSON.stringify(neither.json)).toMatch(/either \\"keyId\\" or \\"model\\"/);

    const ok = await t.admin('/api/v1/actions', {
      body: {
        action: {
          kind: 'rate_limit',
          model: 'breast-cancer',
          endpoint: PATH,
          ratePerSecond: 0.01,
          burst: 1,
        },
        reason: 'one path only',
      },
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    expect(await statuses(2)).toEqual([200, 429]);
    expect(await statuses(2, '/v2/models/breast-cancer/versions/1/infer')).toEqual([200, 200]);
    await t.admin(`/api/v1/actions/${ok.json.id}/lift`, { body: {} });
    expect(await statuses(2)).toEqual([200, 200]);
  });

  it('aisoc policy rate-limit --model applies it through the CLI', async () => {
    const cli = await runCli([
      'policy',
      'rate-limit',
      '--model',
      'breast-cancer',
      '--rate',
      '0.01',
      '--burst',
      '1',
      '--reason',
      'cli test',
      '--url',
      t.aisoc.adminUrl,
      '--token-file',
      t.config.admin.tokenFile,
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const id = /applied rate_limit as (\S+)/.exec(cli.stdout)![1]!;
    expect(await statuses(2)).toEqual([200, 429]);
    await t.admin(`/api/v1/actions/${id}/lift`, { body: {} });
    expect(await statuses(2)).toEqual([200, 200]);
  }, 60_000);
});
