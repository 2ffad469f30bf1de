import type { Kysely } from 'kysely';
import { createId, type Clock, type AuditEntry } from '../core/index.js';
import { verifyFilesAt, type Admission, type AdmissionReport } from './admission.js';
import { registryError } from './errors.js';
import type { Fingerprint } from './integrity-monitor.js';
import { createDataRecords } from './data-records.js';
import { createDeploymentRecords, type ServingInput } from './deployment-records.js';
import { createFingerprintRecords } from './fingerprint-records.js';
import type { Lineage } from './lineage.js';
import { conflictOnConstraint, createRegistryContext } from './registry-context.js';
import { hashModel, rootDigest, sortFiles } from './oms/model-manifest.js';
import type { RegistryRepository } from './registry-repository.js';
import {
  ModelInputSchema,
  parseInput,
  VersionInputSchema,
  type DatasetInput,
  type ModelInput,
  type RunInput,
  type SnapshotInput,
  type VersionInput,
} from './registry-input.js';
import type { RegistryDatabase } from './schema.js';
import type {
  Dataset,
  DatasetSnapshot,
  Deployment,
  Model,
  ModelVersion,
  StateChange,
  StoredFingerprint,
  TrainingRun,
  VersionState,
} from './types.js';
import { canTransition, DEPLOYABLE_STATES } from './version-states.js';

export interface RegistryDeps<DB extends RegistryDatabase = RegistryDatabase> {
  /** The store's database seen with the registry's tables: `store.db.withTables<RegistryDatabase>()`. */
  db: Kysely<DB>;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: AuditEntry) => Promise<void>;
  /** Scanner and signature checks run at approval, deployment and load. */
  admission: Admission;
  clock?: Clock;
}

export interface DeployInput {
  model: string;
  version: string;
  endpoint: string;
  reason: string;
  /** The pin_version action that enforces it, when there is one. */
  actionId?: string | null;
}

/** A model version with its current state. */
export type VersionView = ModelVersion & { state: VersionState };

/** The provenance registry; every change is a new row plus an `audit` ledger entry. */
export interface Registry {
  readonly repository: RegistryRepository;
  readonly lineage: Lineage;
  registerModel(input: ModelInput, actor: string): Promise<Model>;
  registerVersion(input: VersionInput, actor: string): Promise<VersionView>;
  /** Runs admission (integrity, signature, scanner), then marks the version known-good. */
  approve(model: string, version: string, actor: string, reason: string): Promise<StateChange>;
  /** Re-checks integrity and signature, then records which version serves the endpoint. */
  deploy(input: DeployInput, actor: string): Promise<Deployment>;
  /**
   * Records what serves an endpoint after a pin, lift or deployment took effect at the gateway
   * (no admission: the gateway verified the version when it loaded it). A repeat is a no-op.
   */
  recordServing(input: ServingInput, actor: string): Promise<Deployment>;
  quarantine(model: string, version: string, actor: string, reason: string): Promise<StateChange>;
  revoke(model: string, version: string, actor: string, reason: string): Promise<StateChange>;
  /**
   * Before the built-in server loads `path` as model@version: a registered version must not be
   * quarantined or revoked, and the files must match its manifest and signature. Unregistered
   * versions are left to the config's digest check.
   */
  checkLoad(model: string, version: string, path: string): Promise<void>;
  /** Stores the probes and the answers the version gave them (recorded at approval). */
  saveFingerprint(
    model: string,
    version: string,
    fingerprint: { probes: Fingerprint['probes']; tolerance: number },
    actor: string,
  ): Promise<StoredFingerprint>;
  /** The latest fingerprint of every version that has one, for the integrity monitor. */
  fingerprints(): Promise<Fingerprint[]>;
  /** Integrity and signature of a version now (what the loader and monitor call). */
  verify(model: string, version: string): Promise<Omit<AdmissionReport, 'scans'>>;
  model(name: string): Promise<{ model: Model; versions: VersionView[] }>;
  models(): Promise<Model[]>;
  version(model: string, version: string): Promise<VersionView>;
  history(model: string, version: string): Promise<StateChange[]>;
  deployments(endpoint: string): Promise<Deployment[]>;
  registerDataset(input: DatasetInput, actor: string): Promise<Dataset>;
  registerSnapshot(input: SnapshotInput, actor: string): Promise<DatasetSnapshot>;
  setSnapshotState(
    dataset: string,
    label: string,
    state: 'approved' | 'quarantined' | 'revoked',
    actor: string,
    reason: string,
  ): Promise<StateChange>;
  recordRun(input: RunInput, actor: string): Promise<TrainingRun>;
}

/** Builds the registry over the store's database. */
export function createRegistry<DB extends RegistryDatabase>(deps: RegistryDeps<DB>): Registry {
  const ctx = createRegistryContext(deps);
  const { repo, lineage, findModel, findVersion, currentState, transition, versionLabel } = ctx;
  const { now, clock } = ctx;
  const deployments = createDeploymentRecords(ctx);

  const registry: Registry = {
    repository: repo,
    lineage,
    async registerModel(input, actor) {
      const p = parseInput(ModelInputSchema, input, 'model');
      if (await repo.model({ name: p.name }))
        throw registryError('REGISTRY_CONFLICT', `model ${p.name} already exists`);
      const m: Model = {
        id: createId('mdl', clock.now()),
        ...p,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertModel(m).catch(conflictOnConstraint(`model ${p.name}`));
      await deps.audit({
        type: 'registry.model.registered',
        actor,
        at: m.createdAt,
        modelId: m.id,
        name: m.name,
        owner: m.owner,
        criticality: m.criticality,
      });
      return m;
    },
    async registerVersion(input, actor) {
      const p = parseInput(VersionInputSchema, input, 'version');
      const m = await findModel(p.model);
      if (await repo.versionByName(m.id, p.version))
        throw registryError('REGISTRY_CONFLICT', `${p.model}@${p.version} already exists`);
      const files =
        p.location !== undefined
          ? (await hashModel(p.location, { ignorePaths: ['model.sig'] })).files
          : sortFiles(p.files ?? []);
      const v: ModelVersion = {
        id: createId('mv', clock.now()),
        modelId: m.id,
        version: p.version,
        manifestDigest: rootDigest(files),
        files,
        location: p.location ?? null,
        upstream: p.upstream ?? null,
        signature: p.signature ?? null,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertVersion(v).catch(conflictOnConstraint(`${p.model}@${p.version}`));
      await deps.audit({
        type: 'registry.model_version.registered',
        actor,
        at: v.createdAt,
        model: m.name,
        version: v.version,
        versionId: v.id,
        manifestDigest: v.manifestDigest,
        files: files.length,
        signed: v.signature !== null,
      });
      return { ...v, state: 'registered' };
    },
    async approve(model, version, actor, reason) {
      const f = await findVersion(model, version);
      if (!canTransition('model_version', f.state, 'approved') || f.state === 'deployed')
        throw registryError(
          'REGISTRY_TRANSITION_REFUSED',
          `${model}@${version} is ${f.state}; it cannot become approved`,
          { details: { from: f.state, to: 'approved' } },
        );
      const report = await deps.admission.admit(f.version);
      return transition('model_version', versionLabel(f.model, f.version), 'approved', {
        actor,
        reason,
        details: { admission: report },
      });
    },
    async deploy(input, actor) {
      const f = await findVersion(input.model, input.version);
      if (!DEPLOYABLE_STATES.includes(f.state))
        throw registryError(
          'REGISTRY_TRANSITION_REFUSED',
          `${input.model}@${input.version} is ${f.state}; only approved versions are deployed`,
          { details: { from: f.state, to: 'deployed' } },
        );
      const checked = await deps.admission.verify(f.version);
      return deployments.record(
        f,
        { endpoint: input.endpoint, reason: input.reason, actionId: input.actionId ?? null },
        actor,
        checked,
      );
    },
    recordServing: (input, actor) => deployments.recordServing(input, actor),
    quarantine: async (model, version, actor, reason) => {
      const f = await findVersion(model, version);
      return transition('model_version', versionLabel(f.model, f.version), 'quarantined', {
        actor,
        reason,
      });
    },
    revoke: async (model, version, actor, reason) => {
      const f = await findVersion(model, version);
      return transition('model_version', versionLabel(f.model, f.version), 'revoked', {
        actor,
        reason,
      });
    },
    async checkLoad(model, version, path) {
      const m = await repo.model({ name: model });
      const v = m && (await repo.versionByName(m.id, version));
      if (!v) return;
      const state = await currentState(v.id);
      if (state === 'quarantined' || state === 'revoked')
        throw registryError(
          'REGISTRY_TRANSITION_REFUSED',
          `${model}@${version} is ${state}; the built-in server will not load it`,
          { details: { state } },
        );
      await verifyFilesAt(deps.admission, v, path);
    },
    verify: async (model, version) =>
      deps.admission.verify((await findVersion(model, version)).version),
    async model(name) {
      const m = await findModel(name);
      const versions = await repo.versions(m.id);
      return {
        model: m,
        versions: await Promise.all(
          versions.map(async (v) => ({ ...v, state: await currentState(v.id) })),
        ),
      };
    },
    models: () => repo.models(),
    version: async (model, version) => {
      const f = await findVersion(model, version);
      return { ...f.version, state: f.state };
    },
    history: async (model, version) =>
      repo.stateHistory((await findVersion(model, version)).version.id),
    deployments: (endpoint) => repo.deployments(endpoint),
    ...createFingerprintRecords(ctx),
    ...createDataRecords(ctx),
  };

  return registry;
}
