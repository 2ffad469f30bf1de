import type { Kysely } from 'kysely';
import { createId, isAppError, systemClock, type Clock } from '../core/index.js';
import { verifyFilesAt, type Admission, type AdmissionReport } from './admission.js';
import { registryError } from './errors.js';
import type { Fingerprint } from './integrity-monitor.js';
import { createLineage, type Lineage } from './lineage.js';
import { hashModel, rootDigest, sortFiles } from './oms/model-manifest.js';
import { createRegistryRepository, type RegistryRepository } from './registry-repository.js';
import {
  DatasetInputSchema,
  ModelInputSchema,
  parseInput,
  RunInputSchema,
  SnapshotInputSchema,
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
  SubjectKind,
  TrainingRun,
  VersionState,
} from './types.js';
import { canTransition, DEPLOYABLE_STATES } from './version-states.js';

export interface RegistryDeps<DB extends RegistryDatabase = RegistryDatabase> {
  /** The store's database seen with the registry's tables: `store.db.withTables<RegistryDatabase>()`. */
  db: Kysely<DB>;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: Record<string, unknown>) => Promise<void>;
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

function conflictOnConstraint(what: string) {
  return (e: unknown): never => {
    if (isAppError(e) && e.code === 'STORE_CONSTRAINT')
      throw registryError('REGISTRY_CONFLICT', `${what} already exists`, undefined, e);
    throw e;
  };
}

/** Builds the registry over the store's database. */
export function createRegistry<DB extends RegistryDatabase>(deps: RegistryDeps<DB>): Registry {
  const repo = createRegistryRepository(deps.db as unknown as Kysely<RegistryDatabase>);
  const clock = deps.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();
  const lineage = createLineage(repo);
  // Histories order by time: a change made within the same millisecond as the previous one
  // (or under a clock that went back) is stamped 1 ms after it, so order never depends on ids.
  const after = (last: string | undefined) => {
    const t = clock.now();
    const floor = last === undefined ? -Infinity : Date.parse(last) + 1;
    return new Date(Math.max(t, floor)).toISOString();
  };

  const findModel = async (name: string) => {
    const m = await repo.model({ name });
    if (!m) throw registryError('REGISTRY_NOT_FOUND', `model ${name} is not registered`);
    return m;
  };
  const currentState = async (subjectId: string): Promise<VersionState> =>
    (await repo.stateHistory(subjectId)).at(-1)?.state ?? 'registered';
  const findVersion = async (model: string, version: string) => {
    const m = await findModel(model);
    const v = await repo.versionByName(m.id, version);
    if (!v) throw registryError('REGISTRY_NOT_FOUND', `model ${model} has no version ${version}`);
    return { model: m, version: v, state: await currentState(v.id) };
  };
  const transition = async (
    kind: SubjectKind,
    subject: { id: string; label: string },
    to: VersionState,
    change: { actor: string; reason: string; details?: Record<string, unknown> },
  ): Promise<StateChange> => {
    const history = await repo.stateHistory(subject.id);
    const from = history.at(-1)?.state ?? 'registered';
    if (!canTransition(kind, from, to))
      throw registryError(
        'REGISTRY_TRANSITION_REFUSED',
        `${subject.label} is ${from}; it cannot become ${to}`,
        { from, to },
      );
    const at = after(history.at(-1)?.at);
    const row: StateChange = {
      id: createId('rsc', clock.now()),
      subjectKind: kind,
      subjectId: subject.id,
      state: to,
      reason: change.reason,
      actor: change.actor,
      details: change.details ?? {},
      at,
    };
    await repo.insertStateChange(row);
    await deps.audit({
      type: `registry.${kind}.${to}`,
      actor: change.actor,
      at,
      subject: subject.label,
      subjectId: subject.id,
      from,
      to,
      reason: change.reason,
      ...(change.details ? { details: change.details } : {}),
    });
    return row;
  };
  const versionLabel = (m: Model, v: ModelVersion) => ({
    id: v.id,
    label: `${m.name}@${v.version}`,
  });

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
          { from: f.state, to: 'approved' },
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
          { from: f.state, to: 'deployed' },
        );
      const checked = await deps.admission.verify(f.version);
      const previous = (await repo.deployments(input.endpoint)).at(-1);
      const d = {
        id: createId('dep', clock.now()),
        at: after(previous?.at),
        endpoint: input.endpoint,
        modelId: f.model.id,
        versionId: f.version.id,
        reason: input.reason,
        actor,
        actionId: input.actionId ?? null,
      };
      await repo.insertDeployment(d);
      await deps.audit({
        type: 'registry.deployment.recorded',
        actor,
        at: d.at,
        endpoint: d.endpoint,
        model: f.model.name,
        version: f.version.version,
        versionId: f.version.id,
        previousVersionId: previous?.versionId ?? null,
        actionId: d.actionId,
        reason: d.reason,
        checked,
      });
      await transition('model_version', versionLabel(f.model, f.version), 'deployed', {
        actor,
        reason: `serves ${d.endpoint}`,
        details: { deploymentId: d.id },
      });
      if (previous?.versionId && previous.versionId !== f.version.id)
        await retire(previous.versionId, input.endpoint, actor);
      return { ...d, until: null };
    },
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
          { state },
        );
      await verifyFilesAt(deps.admission, v, path);
    },
    async saveFingerprint(model, version, fingerprint, actor) {
      const f = await findVersion(model, version);
      if (
        !Number.isFinite(fingerprint.tolerance) ||
        fingerprint.tolerance < 0 ||
        fingerprint.probes.length === 0
      )
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          'fingerprint: give at least one probe and a tolerance >= 0',
        );
      const stored: StoredFingerprint = {
        id: createId('fp', clock.now()),
        versionId: f.version.id,
        probes: fingerprint.probes.map((p) => ({ id: p.id, input: p.input, output: p.output })),
        tolerance: fingerprint.tolerance,
        recordedAt: now(),
        recordedBy: actor,
      };
      await repo.insertFingerprint(stored);
      await deps.audit({
        type: 'registry.fingerprint.recorded',
        actor,
        at: stored.recordedAt,
        model,
        version,
        fingerprintId: stored.id,
        probes: stored.probes.map((p) => p.id),
        tolerance: stored.tolerance,
      });
      return stored;
    },
    async fingerprints() {
      const out: Fingerprint[] = [];
      for (const f of await repo.latestFingerprints()) {
        const v = (await repo.version(f.versionId))!;
        const m = (await repo.model({ id: v.modelId }))!;
        out.push({ model: m.name, version: v.version, probes: f.probes, tolerance: f.tolerance });
      }
      return out;
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
    async registerDataset(input, actor) {
      const p = parseInput(DatasetInputSchema, input, 'dataset');
      if (await repo.dataset({ name: p.name }))
        throw registryError('REGISTRY_CONFLICT', `dataset ${p.name} already exists`);
      const d: Dataset = {
        id: createId('ds', clock.now()),
        ...p,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertDataset(d).catch(conflictOnConstraint(`dataset ${p.name}`));
      await deps.audit({
        type: 'registry.dataset.registered',
        actor,
        at: d.createdAt,
        datasetId: d.id,
        name: d.name,
        owner: d.owner,
      });
      return d;
    },
    async registerSnapshot(input, actor) {
      const p = parseInput(SnapshotInputSchema, input, 'snapshot');
      const ds = await repo.dataset({ name: p.dataset });
      if (!ds) throw registryError('REGISTRY_NOT_FOUND', `dataset ${p.dataset} is not registered`);
      if (await repo.snapshotByLabel(ds.id, p.label))
        throw registryError('REGISTRY_CONFLICT', `${p.dataset}@${p.label} already exists`);
      const files =
        p.location !== undefined ? (await hashModel(p.location)).files : sortFiles(p.files ?? []);
      const s: DatasetSnapshot = {
        id: createId('snap', clock.now()),
        datasetId: ds.id,
        label: p.label,
        manifestDigest: rootDigest(files),
        files,
        rowCount: p.rowCount,
        schema: p.schema,
        location: p.location ?? null,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertSnapshot(s).catch(conflictOnConstraint(`${p.dataset}@${p.label}`));
      await deps.audit({
        type: 'registry.dataset_snapshot.registered',
        actor,
        at: s.createdAt,
        dataset: ds.name,
        label: s.label,
        snapshotId: s.id,
        manifestDigest: s.manifestDigest,
        rowCount: s.rowCount,
      });
      return s;
    },
    async setSnapshotState(dataset, label, state, actor, reason) {
      const ds = await repo.dataset({ name: dataset });
      const s = ds && (await repo.snapshotByLabel(ds.id, label));
      if (!s)
        throw registryError(
          'REGISTRY_NOT_FOUND',
          `dataset snapshot ${dataset}@${label} is not registered`,
        );
      return transition('dataset_snapshot', { id: s.id, label: `${dataset}@${label}` }, state, {
        actor,
        reason,
      });
    },
    async recordRun(input, actor) {
      const p = parseInput(RunInputSchema, input, 'training run');
      const inputs = await Promise.all(
        p.inputs.map(async (i) => {
          const ds = await repo.dataset({ name: i.dataset });
          const s = ds && (await repo.snapshotByLabel(ds.id, i.label));
          if (!s)
            throw registryError(
              'REGISTRY_NOT_FOUND',
              `dataset snapshot ${i.dataset}@${i.label} is not registered`,
            );
          return s.id;
        }),
      );
      const outputs = await Promise.all(
        p.outputs.map(async (o) => (await findVersion(o.model, o.version)).version.id),
      );
      const run: TrainingRun = {
        id: createId('run', clock.now()),
        codeRevision: p.codeRevision,
        params: p.params,
        inputs,
        outputs,
        startedAt: p.startedAt ?? null,
        finishedAt: p.finishedAt ?? null,
        createdAt: now(),
        createdBy: actor,
      };
      await repo.insertRun(run);
      await deps.audit({
        type: 'registry.training_run.recorded',
        actor,
        at: run.createdAt,
        runId: run.id,
        codeRevision: run.codeRevision,
        inputs,
        outputs,
      });
      return run;
    },
  };

  // A replaced version stays known-good (approved) unless another endpoint still serves it.
  async function retire(versionId: string, endpoint: string, actor: string): Promise<void> {
    if ((await currentState(versionId)) !== 'deployed') return;
    const live = (await repo.deploymentsOf([versionId])).filter((d) => d.until === null);
    if (live.length > 0) return;
    const v = (await repo.version(versionId))!;
    const m = (await repo.model({ id: v.modelId }))!;
    await transition('model_version', versionLabel(m, v), 'approved', {
      actor,
      reason: `replaced on ${endpoint}`,
    });
  }

  return registry;
}
