// freeze_pipeline across respond and the registry, on one SQLite store: what a poisoning playbook does to the training pipeline.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../support/respond.js';
import {
  createAdmission,
  createRegistry,
  type RegistryDatabase,
} from '../../src/registry/index.js';
import { scan } from '../../src/scan/index.js';
import { loadPlaybookText, sendPipelineHook, signWebhook } from '../../src/respond/index.js';

const root = join(import.meta.dirname, '..', '..');

const playbook = loadPlaybookText(
  `
id: poisoning-freeze
name: Freeze the pipeline on poisoning
trigger: { kinds: [extraction] }
steps:
  - { id: freeze, kind: freeze_pipeline, hook: soc, datasets: [payments] }
  - { id: again, kind: freeze_pipeline, hook: soc, datasets: [payments] }
`,
  'freeze.yaml',
);

type Rig = Awaited<ReturnType<typeof startRespondRig>>;

describe('freeze_pipeline: the training pipeline stops, new snapshots are refused, lift thaws', () => {
  let rig: Rig;
  afterEach(async () => rig.close());

  it('calls the signed hook, records the freeze, refuses a snapshot, and thaws on lift', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    const registry = createRegistry({
      db: rig.store.db.withTables<RegistryDatabase>(),
      audit: async () => undefined,
      admission: createAdmission({
        scan: (p) => scan(p),
        trust: { kind: 'keys', keys: [] },
        requireSignature: false,
      }),
    });
    await registry.registerDataset(
      { name: 'payments', owner: 'data', dataClassification: 'confidential' },
      'a',
    );
    await registry.registerDataset(
      { name: 'clicks', owner: 'data', dataClassification: 'internal' },
      'a',
    );

    const { incident } = await rig.responder.handleAlert(testAlert({}, rig.keyId));
    await eventually(
      async () => (await rig.responder.runner.list())[0]?.status === 'succeeded',
      10_000,
    );

    // One hook call (the second step finds the same freeze), signed like every aisoc webhook.
    expect(rig.webhook.received).toHaveLength(1);
    const [call] = rig.webhook.received;
    const body = JSON.parse(call!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'aisoc.pipeline.freeze',
      incidentId: incident!.id,
      datasets: ['payments'],
      actor: 'playbook:poisoning-freeze',
      reason: expect.stringContaining(incident!.id),
    });
    expect(call!.headers['x-aisoc-event']).toBe('aisoc.pipeline.freeze');
    expect(call!.headers['x-aisoc-signature']).toBe(
      signWebhook('test-secret', String(call!.headers['x-aisoc-timestamp']), call!.body),
    );
    const [freeze] = await rig.responder.freezes.list({ active: true });
    expect(freeze).toMatchObject({ id: body.freezeId, datasets: ['payments'], thawedAt: null });
    expect(rig.audit).toContainEqual(
      expect.objectContaining({ type: 'respond.pipeline.frozen', id: freeze!.id }),
    );
    expect((await rig.responder.detail(incident!.id)).timeline.map((t) => t.type)).toContain(
      'pipeline_frozen',
    );

    await expect(
      registry.registerSnapshot({ dataset: 'payments', label: 'w2', files: [], rowCount: 1 }, 'ci'),
    ).rejects.toMatchObject({
      code: 'REGISTRY_DATASET_FROZEN',
      status: 409,
      message: expect.stringContaining(`aisoc incidents lift ${incident!.id}`),
    });
    // Another dataset's pipeline goes on.
    await registry.registerSnapshot(
      { dataset: 'clicks', label: 'w2', files: [], rowCount: 1 },
      'ci',
    );

    const lifted = await rig.responder.liftContainment(incident!.id, 'ann');
    expect(lifted).toContain(freeze!.id);
    expect(JSON.parse(rig.webhook.received.at(-1)!.body)).toMatchObject({
      type: 'aisoc.pipeline.thaw',
      freezeId: freeze!.id,
      actor: 'ann',
    });
    expect(await rig.responder.freezes.list({ active: true })).toEqual([]);
    await registry.registerSnapshot(
      { dataset: 'payments', label: 'w2', files: [], rowCount: 1 },
      'ci',
    );
    expect(rig.audit).toContainEqual(
      expect.objectContaining({ type: 'respond.pipeline.thawed', freezeId: freeze!.id }),
    );
  });

  it('a hook that fails leaves no freeze recorded, and the step escalates to a person', async () => {
    rig = await startRespondRig({ playbooks: [playbook] });
    rig.webhook.state.status = 503;
    await rig.responder.handleAlert(testAlert({}, rig.keyId));
    await eventually(async () => {
      const run = (await rig.responder.runner.list())[0];
      return run && run.status !== 'running' ? run : undefined;
    }, 15_000);
    expect(await rig.responder.freezes.list()).toEqual([]);
    const tasks = await rig.responder.approvals.list({});
    expect(JSON.stringify(tasks) + JSON.stringify(await rig.responder.runner.list())).toMatch(
      /pipeline hook .* answered 503/,
    );
  });

  it('refuses a playbook naming a hook that is not configured', () => {
    expect(() =>
      loadPlaybookText(
        `
id: bad
name: Bad
trigger: { kinds: [extraction] }
steps:
  - { id: freeze, kind: freeze_pipeline, hook: airflow }
`,
        'bad.yaml',
        ['soc'],
      ),
    ).toThrow(/steps\.0\.hook.*no webhook "airflow" is configured/);
  });
});

describe('the Airflow receiver in examples/ takes a signed freeze and pauses the mapped DAGs', () => {
  it('pauses on freeze, unpauses on thaw, and refuses a forged signature', async () => {
    const patched: { path: string; body: string }[] = [];
    const airflow = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        patched.push({ path: `${req.method} ${req.url}`, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => airflow.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const receiver = spawn('python3', [join(root, 'examples/pipeline-hooks/airflow_receiver.py')], {
      env: {
        ...process.env,
        AISOC_HOOK_SECRET: 'hook-secret',
        AIRFLOW_URL: `http://127.0.0.1:${(airflow.address() as AddressInfo).port}`,
        PORT: String(port),
      },
      stdio: 'ignore',
    });
    try {
      const target = { url: `http://127.0.0.1:${port}/`, secret: 'hook-secret' };
      const body = {
        type: 'aisoc.pipeline.freeze' as const,
        freezeId: 'frz_1',
        incidentId: 'inc_1',
        datasets: ['transactions'],
        reason: 'test',
        actor: 'ann',
        at: new Date().toISOString(),
      };
      await eventually(
        () =>
          sendPipelineHook(target, body).then(
            () => true,
            () => false,
          ),
        10_000,
      );
      expect(patched).toEqual([
        {
          path: 'PATCH /api/v1/dags/fraud_retrain?update_mask=is_paused',
          body: '{"is_paused": true}',
        },
      ]);
      await sendPipelineHook(target, { ...body, type: 'aisoc.pipeline.thaw' });
      expect(patched.at(-1)!.body).toBe('{"is_paused": false}');
      await expect(
        sendPipelineHook({ ...target, secret: 'forged' }, { ...body, datasets: ['*'] }),
      ).rejects.toMatchObject({ message: expect.stringContaining('answered 401') });
      expect(patched).toHaveLength(2);
    } finally {
      receiver.kill();
      await new Promise<void>((r) => airflow.close(() => r()));
    }
  });
});

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
