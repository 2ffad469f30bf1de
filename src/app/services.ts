import type { Registry } from 'prom-client';
import type { AdminServices, ApiKeyView } from '../api/index.js';
import type { Bus, PolicyChannel } from '../bus/index.js';
import type { AisocConfig } from '../config/index.js';
import type { AppliedAction, AuditEntry } from '../core/index.js';
import { generateApiKey } from '../gateway/index.js';
import {
  exportPublicKey,
  getCheckpoint,
  proveConsistency,
  proveInclusion,
  readEntries,
  verifyLedger,
  type LedgerKey,
  type LedgerWriter,
  type WitnessLag,
} from '../ledger/index.js';
import { recentDriftResults, recordFeedback, type DriftState } from '../detect/index.js';
import type { ActionService } from '../respond/index.js';
import type { Detection } from './detection.js';
import type { ApiKeyRecord, KeyRepository, Store } from '../store/index.js';

const STREAMS = ['inference', 'audit'] as const;

export interface AdminServiceDeps {
  config: Readonly<AisocConfig>;
  store: Store;
  bus: Bus;
  ledger: LedgerWriter;
  ledgerKey: LedgerKey;
  keyRepo: KeyRepository;
  actions: ActionService;
  channel: PolicyChannel;
  registry: Registry;
  gatewayId: string;
  detection: Detection;
  /** How far each configured witness is behind (ledger.witnesses); absent when none. */
  witnesses?: () => readonly WitnessLag[];
  health?: AdminServices['health'];
  /** Re-reads this process's key directory, so a created key works here at once. */
  reloadKeys?: () => Promise<void>;
}

/** The admin API's view of the running modules. */
export function createAdminServices(deps: AdminServiceDeps): AdminServices {
  const { store, ledger, keyRepo, actions } = deps;
  const publicKey = exportPublicKey(deps.ledgerKey);
  const audit = (entry: AuditEntry) => ledger.appendDurable('audit', entry).then(() => undefined);

  const keyStates = async () => {
    const states = new Map<string, 'suspended' | 'revoked'>();
    for (const a of await actions.list({ active: true })) {
      if (a.action.kind === 'revoke_key') states.set(a.action.keyId, 'revoked');
      else if (a.action.kind === 'suspend_key' && states.get(a.action.keyId) !== 'revoked')
        states.set(a.action.keyId, 'suspended');
    }
    return states;
  };
  const view = (k: ApiKeyRecord, states: Map<string, 'suspended' | 'revoked'>): ApiKeyView => ({
    id: k.id,
    principal: k.principal,
    prefix: k.prefix,
    description: k.description,
    models: k.models,
    ratePerSecond: k.ratePerSecond,
    burst: k.burst,
    createdAt: k.createdAt,
    state: states.get(k.id) ?? 'active',
  });

  return {
    keys: {
      async create(input, actor) {
        const generated = generateApiKey();
        const record: ApiKeyRecord = {
          id: generated.id,
          principal: input.principal,
          keyHash: generated.hash,
          prefix: generated.prefix,
          description: input.description ?? null,
          models: input.models ?? null,
          ratePerSecond: input.ratePerSecond ?? null,
          burst: input.burst ?? null,
          createdAt: new Date().toISOString(),
        };
        await keyRepo.insert(record);
        await audit({
          type: 'gateway.key.created',
          actor,
          at: record.createdAt,
          keyId: record.id,
          principal: record.principal,
          models: record.models,
        });
        await deps.reloadKeys?.();
        // A new policy version makes every gateway reload its keys; pending if the bus is down.
        const pending = !(await actions.republish());
        return { key: view(record, new Map()), secret: generated.secret, pending };
      },
      async list() {
        const states = await keyStates();
        return (await keyRepo.list()).map((k) => view(k, states));
      },
      async get(id) {
        const k = await keyRepo.findById(id);
        return k && view(k, await keyStates());
      },
    },
    actions: {
      apply: (action, reason, actor) => actions.apply(action, reason, actor),
      lift: (id, actor) => actions.lift(id, actor),
      list: (options) => actions.list(options),
    },
    ledger: {
      streams: () => STREAMS,
      checkpoint: (stream) => getCheckpoint(store, stream),
      entries: async (stream, fromSeq, limit) =>
        (await readEntries(store, stream, { fromSeq, limit })).map((e) => ({
          ...e,
          payload: JSON.parse(e.payload) as unknown,
        })),
      inclusionProof: (stream, seq, size) => proveInclusion(store, stream, seq, size),
      consistencyProof: (stream, from, to) => proveConsistency(store, stream, from, to),
      // A live writer's tail is signed within checkpointIntervalMs: report it, don't fail it.
      verify: (stream) =>
        verifyLedger(store, stream, { publicKey: publicKey.verifierKey, allowUnsignedTail: true }),
      publicKey: () => publicKey,
    },
    detection: {
      detectors: () => deps.detection.runner.list(),
      alerts: (filter) => deps.detection.recentAlerts(filter),
      // recordFeedback checks each item and counts the malformed ones as `invalid`.
      feedback: (items) =>
        recordFeedback(deps.detection.performance, items as { requestId: string; label: number }[]),
      performance: (model) => deps.detection.performance.results(model),
      drift: (model) => {
        const state = deps.detection.runner.state('drift', model) as DriftState | undefined;
        return state ? recentDriftResults(state) : [];
      },
    },
    async status() {
      const acks = await deps.channel.acks();
      return {
        gatewayId: deps.gatewayId,
        store: store.driver,
        bus: deps.config.bus.driver,
        models: deps.config.models.map((m) => m.id),
        ledger: ledger.stats(),
        detection: deps.detection.runner.stats(),
        policyAcks: Object.fromEntries(acks),
        ...(deps.witnesses ? { witnesses: deps.witnesses() } : {}),
        // A containment or key change stored but not yet taken by the bus (re-published).
        policyPending: actions.pending(),
      };
    },
    ...(deps.health ? { health: deps.health } : {}),
    async metrics() {
      return { contentType: deps.registry.contentType, body: await deps.registry.metrics() };
    },
  };
}

export type { AppliedAction };
