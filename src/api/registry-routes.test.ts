import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPolicyChannel, type PolicyChannel } from '../bus/index.js';
import { buildPolicySnapshot, systemClock, type PolicySnapshot } from '../core/index.js';
import {
  createAdmission,
  createRegistry,
  createRollback,
  signModel,
  type Registry,
  type RegistryDatabase,
} from '../registry/index.js';
import { createActionService } from '../respond/index.js';
import { scan } from '../scan/index.js';
import { createPolicyActionRepository, createStore, type Store } from '../store/index.js';
import { createAdminApi } from './admin-api.js';
import { registerRegistryRoutes } from './registry-routes.js';
import type { AdminServices } from './services.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-registry-api-'));
const TOKEN = 't0ken-for-tests';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let store: Store;
let channel: PolicyChannel;
let registry: Registry;
let snapshot: PolicySnapshot = buildPolicySnapshot(0, []);
const audit: Record<string, unknown>[] = [];
let app: ReturnType<typeof createAdminApi>;

async function signedVersion(name: string): Promise<{ location: string; signature: string }> {
  const location = join(dir, name);
  mkdirSync(location);
  writeFileSync(join(location, 'config.json'), JSON.stringify({ name }));
  const { bundle } = await signModel(location, {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  });
  return { location, signature: JSON.stringify(bundle) };
}

const call = (method: string, path: string, body?: unknown) =>
  app.request(`/api/v1/registry${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

beforeAll(async () => {
  store = await createStore({ driver: 'sqlite', path: join(dir, 'api.db') });
  await store.migrate();
  channel = createMemoryPolicyChannel();
  await channel.watch((state) => {
    snapshot = buildPolicySnapshot(state.version, state.actions);
  });
  const record = async (e: Record<string, unknown>) => void audit.push(e);
  const actions = createActionService({
    records: createPolicyActionRepository(store.db),
    publisher: channel,
    audit: record,
    checkTarget: async () => null,
    clock: systemClock,
  });
  const admission = createAdmission({
    scan: (p) => scan(p),
    trust: { kind: 'keys', keys: [publicKey] },
  });
  registry = createRegistry({
    db: store.db.withTables<RegistryDatabase>(),
    audit: record,
    admission,
  });
  app = createAdminApi({ services: {} as AdminServices, token: TOKEN });
  registerRegistryRoutes(app, { registry, rollback: createRollback({ registry, actions }) });
});
afterAll(async () => {
  await channel.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registry admin routes', () => {
  it('registers, approves and deploys versions, then rolls back to the known-good one with a pin', async () => {
    expect((await call('POST', '/models', { name: 'credit', owner: 'risk' })).status).toBe(201);
    for (const v of ['1', '2']) {
      expect(
        (
          await call('POST', '/models/credit/versions', {
            version: v,
            ...(await signedVersion(`credit-${v}`)),
          })
        ).status,
      ).toBe(201);
      expect(
        (await call('POST', `/models/credit/versions/${v}/approve`, { reason: 'reviewed' })).status,
      ).toBe(200);
    }
    await registry.deploy(
      { model: 'credit', version: '1', endpoint: 'credit', reason: 'launch' },
      'ci',
    );
    await registry.deploy(
      { model: 'credit', version: '2', endpoint: 'credit', reason: 'upgrade' },
      'ci',
    );
    await call('POST', '/models/credit/versions/2/quarantine', { reason: 'drift alert' });

    const res = await call('POST', '/models/credit/rollback', { to: '1', reason: 'incident 42' });
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      action: { id: string };
      deployment: { actionId: string };
    };
    expect(result.deployment.actionId).toBe(result.action.id);
    await new Promise((r) => setTimeout(r, 10));
    expect(snapshot.pinned.get('credit')).toMatchObject({
      version: '1',
      actionId: result.action.id,
    });
    const history = (await (await call('GET', '/deployments/credit')).json()) as {
      deployments: { reason: string; actor: string }[];
    };
    expect(history.deployments.map((d) => d.reason)).toEqual([
      'launch',
      'upgrade',
      'rollback: incident 42',
    ]);
    expect(history.deployments.at(-1)!.actor).toBe('admin');
    expect(audit.map((e) => e.type)).toEqual(
      expect.arrayContaining(['respond.action.applied', 'registry.deployment.recorded']),
    );
    const behind = (await (await call('GET', '/lineage/endpoints/credit')).json()) as {
      version: { version: string };
    };
    expect(behind.version.version).toBe('1');
  });

  it('refuses to roll back to a quarantined version and names its state', async () => {
    const res = await call('POST', '/models/credit/rollback', { to: '2', reason: 'r' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'REGISTRY_TRANSITION_REFUSED' });
  });

  it('answers 404, 400 and 401 with the usual error body', async () => {
    expect(await (await call('GET', '/models/nope')).json()).toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
      statusCode: 404,
    });
    expect(await (await call('POST', '/models', { name: 'x y' })).json()).toMatchObject({
      code: 'REGISTRY_INPUT_INVALID',
      statusCode: 400,
    });
    expect((await call('POST', '/models/credit/versions/1/approve', {})).status).toBe(400);
    expect((await app.request('/api/v1/registry/models')).status).toBe(401);
  });
});
