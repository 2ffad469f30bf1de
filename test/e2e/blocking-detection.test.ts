import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels } from '../../src/app/index.js';
import { benignQueries } from '../../src/drill/attacks/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';

interface AlertView {
  id: string;
  detector: string;
  principal: string | null;
  evidence: Record<string, unknown>;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

// breast-cancer is configured blocking; digits stays in monitor mode until an action says so.
// No playbooks run (an empty folder), so no throttling hides what the gateway itself decides.
describe('blocking detection through the gateway', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;

  beforeAll(async () => {
    const models = demoModels().map((m) =>
      m.id === 'breast-cancer' ? { ...m, detection: { mode: 'blocking' } } : m,
    );
    const playbookDir = mkdtempSync(join(tmpdir(), 'aisoc-no-playbooks-'));
    t = await startTestAisoc({ models, respond: { playbookDir } });
  }, 60_000);
  afterAll(async () => {
    await t.aisoc.close();
  });

  const newKey = async (principal: string) => {
    const created = await t.admin('/api/v1/keys', { body: { principal } });
    expect(created.status).toBe(201);
    return { secret: created.json.secret as string, id: created.json.key.id as string };
  };
  const infer = (model: string, rows: number[][], secret: string) =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(rows),
    });
  const ownAlerts = async (model: string, principal: string): Promise<AlertView[]> => {
    const { json } = await t.admin(`/api/v1/alerts?model=${model}&limit=1000`);
    return (json.alerts as AlertView[]).filter(
      (a) => a.principal === principal && typeof a.evidence.keyId === 'string',
    );
  };
  const eventsOf = async (principal: string) => {
    await t.aisoc.ledger.flush();
    const { json } = await t.admin(`/api/v1/events?principal=${principal}&limit=1000`);
    return json.events as {
      requestId: string;
      status: number;
      errorCode: string | null;
      policyAction: string | null;
      outputs: unknown[] | null;
    }[];
  };
  /** Uniform random rows inside the reference ranges: the classic extraction probe. */
  const randomRows = async (model: string, seed: number) => {
    const reference = await demoRows(model, 'reference', 200);
    const lo = reference[0]!.map((_, j) => Math.min(...reference.map((r) => r[j]!)));
    const hi = reference[0]!.map((_, j) => Math.max(...reference.map((r) => r[j]!)));
    let s = seed;
    const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
    return () => lo.map((l, j) => l + random() * (hi[j]! - l));
  };
  /** Sends random queries until one is refused; checks no alert about the key came earlier. */
  const extractUntilBlocked = async (model: string, principal: string, secret: string) => {
    const next = await randomRows(model, 11);
    for (let q = 1; q <= 150; q++) {
      const row = next();
      const res = await infer(model, [row], secret);
      if (res.status === 403) {
        const text = await res.text();
        return { q, res, row, text, body: JSON.parse(text) as any };
      }
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await new Promise((r) => setImmediate(r));
      expect(await ownAlerts(model, principal)).toEqual([]);
    }
    throw new Error(`${principal} was never blocked in 150 queries`);
  };

  it('withholds the answer to the very query that trips the detector, and alerts once', async () => {
    const key = await newKey('extractor');
    const { q, res, row, text, body } = await extractUntilBlocked(
      'breast-cancer',
      'extractor',
      key.secret,
    );
    expect(q).toBeLessThanOrEqual(100);
    // The client learns only that it is refused: no detector, alert or action.
    expect(body).toMatchObject({ code: 'GATEWAY_FORBIDDEN', statusCode: 403 });
    expect(text).not.toMatch(/extraction|detect|alr_|act_/);
    // The alert went out as usual, once, naming this key, and reached the responder by the bus.
    const alerts = await ownAlerts('breast-cancer', 'extractor');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ evidence: { keyId: key.id } });
    expect(alerts[0]!.detector).toMatch(/^extraction\./);
    // The refusal is in the ledger, with the outputs the caller did not get.
    const requestId = res.headers.get('x-request-id');
    const refused = (await eventsOf('extractor')).find((e) => e.requestId === requestId)!;
    expect(refused).toMatchObject({
      status: 403,
      errorCode: 'GATEWAY_DETECTION_BLOCKED',
      policyAction: 'detect_inline:config',
    });
    expect(refused.outputs).toHaveLength(1);
    // Sent again, alone or among other rows, the refused query stays refused.
    expect((await infer('breast-cancer', [row], key.secret)).status).toBe(403);
    const reference = await demoRows('breast-cancer', 'reference', 1);
    expect((await infer('breast-cancer', [reference[0]!, row], key.secret)).status).toBe(403);
    await until(async () => {
      const { json } = await t.admin('/api/v1/incidents');
      return (json.incidents as { principals: string[] }[]).some((i) =>
        i.principals.includes('extractor'),
      );
    });
  }, 120_000);

  it('never blocks a benign key replaying real rows, repeats included', async () => {
    const key = await newKey('benign');
    const reference = await demoRows('breast-cancer', 'reference', 400);
    // The evaluation's benign principal: a Zipf working set of holdout rows, exact repeats,
    // small-noise variants.
    const rows = benignQueries({
      samples: await demoRows('breast-cancer', 'holdout', 200),
      queries: 200,
      seed: 5,
      featureMin: reference[0]!.map((_, j) => Math.min(...reference.map((r) => r[j]!))),
      featureMax: reference[0]!.map((_, j) => Math.max(...reference.map((r) => r[j]!))),
    });
    for (const row of rows) {
      const res = await infer('breast-cancer', [row], key.secret);
      const body = await res.text();
      expect(res.status, body).toBe(200);
    }
    expect(await ownAlerts('breast-cancer', 'benign')).toEqual([]);
    const events = await eventsOf('benign');
    expect(events).toHaveLength(rows.length);
    expect(events.every((e) => e.policyAction === 'detect_inline:config')).toBe(true);
  }, 120_000);

  it('switches one key to blocking by action and back when the action is lifted', async () => {
    const watched = await newKey('watched');
    const other = await newKey('other');
    const applied = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'detect_inline', model: 'digits', keyId: watched.id },
        reason: 'e2e',
      },
    });
    expect(applied.status).toBe(201);
    const actionId = applied.json.id as string;

    const blocked = await extractUntilBlocked('digits', 'watched', watched.secret);
    expect(blocked.body.code).toBe('GATEWAY_FORBIDDEN');
    expect(blocked.text).not.toContain(actionId);

    // The same probing from another key is answered (monitor mode) though it raises alerts.
    const next = await randomRows('digits', 11);
    for (let q = 0; q < blocked.q + 20; q++) {
      const res = await infer('digits', [next()], other.secret);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await ownAlerts('digits', 'other')).length).toBeGreaterThan(0);
    expect((await eventsOf('other')).some((e) => e.policyAction !== null)).toBe(false);
    expect(
      (await eventsOf('watched')).every((e) => e.policyAction === `detect_inline:${actionId}`),
    ).toBe(true);

    const lifted = await t.admin(`/api/v1/actions/${actionId}/lift`, { body: {} });
    expect(lifted.status).toBe(200);
    const after = await infer('digits', [next()], watched.secret);
    expect(after.status).toBe(200);
    const requestId = after.headers.get('x-request-id');
    const event = (await eventsOf('watched')).find((e) => e.requestId === requestId)!;
    expect(event.policyAction).toBeNull();
  }, 180_000);

  it('refuses an inline-detection action on a model without per-principal detectors', async () => {
    const res = await t.admin('/api/v1/actions', {
      body: { action: { kind: 'detect_inline', model: 'nope' }, reason: 'e2e' },
    });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('ACTION_TARGET_UNKNOWN');
  });
});

describe('a playbook escalating a suspicious key to blocking detection', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;

  beforeAll(async () => {
    const playbookDir = mkdtempSync(join(tmpdir(), 'aisoc-escalate-'));
    writeFileSync(
      join(playbookDir, 'escalate.yaml'),
      [
        'id: escalate-inline',
        'name: Inspect the suspect key before answering it',
        'trigger: { kinds: [extraction, evasion, anomaly], models: [digits] }',
        'steps:',
        '  - id: inspect-inline',
        '    kind: contain',
        "    action: { kind: detect_inline, model: '{{incident.model}}', keyId: '{{alert.keyId}}' }",
        '',
      ].join('\n'),
    );
    t = await startTestAisoc({ respond: { playbookDir } });
  }, 60_000);
  afterAll(async () => {
    await t.aisoc.close();
  });

  it('switches only the key its alert names, without a restart', async () => {
    const key = async (principal: string) =>
      (await t.admin('/api/v1/keys', { body: { principal } })).json as {
        secret: string;
        key: { id: string };
      };
    const suspect = await key('suspect');
    const bystander = await key('bystander');
    const infer = async (secret: string, row: number[]) => {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/digits/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: kserveBody([row]),
      });
      await res.arrayBuffer();
      return res;
    };
    const inlineAction = async () => {
      const { json } = await t.admin('/api/v1/actions?active=true');
      return (json.actions as { id: string; action: { kind: string; keyId?: string } }[]).find(
        (a) => a.action.kind === 'detect_inline',
      );
    };
    const reference = await demoRows('digits', 'reference', 200);
    let s = 3;
    const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let q = 0; q < 150 && !(await inlineAction()); q++) {
      const row = reference[0]!.map(() => Math.round(random() * 16));
      expect((await infer(suspect.secret, row)).status).toBe(200); // monitor mode
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(async () => (await inlineAction()) !== undefined);
    const action = (await inlineAction())!;
    expect(action.action.keyId).toBe(suspect.key.id);

    const row = (await demoRows('digits', 'holdout', 1))[0]!;
    const mine = await infer(suspect.secret, row);
    const theirs = await infer(bystander.secret, row);
    await t.aisoc.ledger.flush();
    const { json } = await t.admin('/api/v1/events?model=digits&limit=1000');
    const byRequest = (res: Response) =>
      (json.events as { requestId: string; policyAction: string | null }[]).find(
        (e) => e.requestId === res.headers.get('x-request-id'),
      )!;
    expect(byRequest(mine).policyAction).toBe(`detect_inline:${action.id}`);
    expect(byRequest(theirs).policyAction).toBeNull();
  }, 180_000);
});
