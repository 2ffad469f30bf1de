import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryBus,
  createMemoryPolicyChannel,
  type Bus,
  type PolicyChannel,
} from '../../src/bus/index.js';
import { parseConfig } from '../../src/config/index.js';
import { buildPolicySnapshot, systemClock, type Alert } from '../../src/core/index.js';
import { createGateway, createKeyDirectory, generateApiKey } from '../../src/gateway/index.js';
import {
  createActionService,
  createResponder,
  type Playbook,
  type ResponderDeps,
} from '../../src/respond/index.js';
import {
  createKeyRepository,
  createPolicyActionRepository,
  createStore,
} from '../../src/store/index.js';
import { startTestUpstream } from './upstream.js';

/** A webhook receiver on 127.0.0.1 that records bodies and headers; `status` sets its answer. */
export async function startWebhookReceiver() {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * The respond module wired as the composition root wires it: a SQLite store, the memory bus
 * and policy channel, the action service, a real gateway on HTTP in front of a real upstream.
 */
export async function startRespondRig(
  options: {
    playbooks?: Playbook[];
    extra?: Partial<ResponderDeps>;
    /** Another bus and policy channels (NATS); `gatewayChannel` is the gateway's own connection. */
    transport?: { bus: Bus; channel: PolicyChannel; gatewayChannel: PolicyChannel };
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-respond-'));
  const store = await createStore({ driver: 'sqlite', path: join(dir, 'aisoc.db') });
  await store.migrate();
  const bus = options.transport?.bus ?? createMemoryBus();
  const channel = options.transport?.channel ?? createMemoryPolicyChannel();
  const gatewayChannel = options.transport?.gatewayChannel ?? channel;
  const upstream = await startTestUpstream();
  const webhook = await startWebhookReceiver();
  const audit: Record<string, unknown>[] = [];
  const auditFn = async (entry: Record<string, unknown>) => void audit.push(entry);

  const keyRepo = createKeyRepository(store.db);
  const generated = generateApiKey();
  await keyRepo.insert({
    id: generated.id,
    principal: 'mallory',
    keyHash: generated.hash,
    prefix: generated.prefix,
    description: null,
    models: null,
    ratePerSecond: null,
    burst: null,
    createdAt: new Date().toISOString(),
  });
  const keys = createKeyDirectory();
  keys.replace([
    {
      hash: generated.hash,
      key: {
        id: generated.id,
        principal: 'mallory',
        models: null,
        ratePerSecond: null,
        burst: null,
      },
    },
  ]);

  let snapshot = buildPolicySnapshot(0, []);
  const policySub = await gatewayChannel.watch(async (state) => {
    snapshot = buildPolicySnapshot(state.version, state.actions);
    await gatewayChannel.ack('gw-test', state.version);
  });
  const actions = createActionService({
    records: createPolicyActionRepository(store.db),
    publisher: channel,
    audit: auditFn,
    clock: systemClock,
    checkTarget: async () => null,
  });
  const config = parseConfig({
    gateway: { port: 0 },
    models: [
      {
        id: 'fraud',
        featureCount: 3,
        criticality: 'critical',
        versions: [{ version: '1', upstream: upstream.url }],
      },
    ],
  });
  const gateway = createGateway({
    config: config.gateway,
    models: config.models,
    keys,
    policy: () => snapshot,
    localModels: new Map(),
    events: { record() {} },
  });
  const gatewayUrl = await gateway.listen();

  const deps: ResponderDeps = {
    store,
    bus,
    actions,
    channel,
    audit: auditFn,
    assets: new Map([['fraud', { criticality: 'critical', dataSensitivity: 'confidential' }]]),
    evidenceDir: join(dir, 'evidence'),
    playbooks: options.playbooks ?? [],
    webhooks: { soc: { url: webhook.url, secret: 'test-secret' } },
    sources: {
      events: async (model) => [{ model, id: 'evt_1' }],
      config: async (model) => config.models.find((m) => m.id === model),
    },
    tickMs: 20,
    ...options.extra,
  };
  const responder = await createResponder(deps);
  await responder.start();

  const infer = async () =>
    (
      await fetch(`${gatewayUrl}/v2/models/fraud/infer`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${generated.secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [0.1, 0.2, 0.3] }],
        }),
      })
    ).status;

  return {
    dir,
    store,
    bus,
    channel,
    actions,
    responder,
    audit,
    webhook,
    keyId: generated.id,
    infer,
    policy: () => snapshot,
    /** Another responder over the same store, bus and gateway (a restart). */
    newResponder: (over: Partial<ResponderDeps> = {}) => createResponder({ ...deps, ...over }),
    async close() {
      await responder.close();
      await gateway.close();
      await upstream.close();
      await webhook.close();
      await policySub.unsubscribe();
      await bus.close();
      await channel.close();
      if (gatewayChannel !== channel) await gatewayChannel.close();
      await store.close();
    },
  };
}

let n = 0;
/** An alert as a detector would raise it about the rig's key. */
export function testAlert(over: Partial<Alert> = {}, keyId = 'key_x'): Alert {
  n += 1;
  return {
    id: `alr_test${Date.now()}${n}`,
    time: new Date().toISOString(),
    detector: 'prada',
    kind: 'extraction',
    model: 'fraud',
    principal: 'mallory',
    sourceAddress: '127.0.0.1',
    severity: 'high',
    confidence: 0.95,
    title: 'Model extraction suspected on fraud',
    atlasTechniques: ['AML.T0024.002'],
    owasp: ['ML05:2023'],
    evidence: { keyId },
    eventIds: [],
    ...over,
  };
}

/** Polls `check` until it returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 3000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
