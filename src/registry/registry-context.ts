import type { Kysely } from 'kysely';
import { createId, isAppError, systemClock } from '../core/index.js';
import type { RegistryDeps } from './create-registry.js';
import { registryError } from './errors.js';
import { createLineage } from './lineage.js';
import { createRegistryRepository } from './registry-repository.js';
import type { RegistryDatabase } from './schema.js';
import type { Model, ModelVersion, StateChange, SubjectKind, VersionState } from './types.js';
import { canTransition } from './version-states.js';

/** What the registry's parts share: the repository, time, lookups and state transitions. */
export type RegistryContext = ReturnType<typeof createRegistryContext>;

export function createRegistryContext<DB extends RegistryDatabase>(deps: RegistryDeps<DB>) {
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
    to: Exclude<VersionState, 'registered'>, // nothing goes back to registered
    change: { actor: string; reason: string; details?: Record<string, unknown> },
  ): Promise<StateChange> => {
    const history = await repo.stateHistory(subject.id);
    const from = history.at(-1)?.state ?? 'registered';
    if (!canTransition(kind, from, to))
      throw registryError(
        'REGISTRY_TRANSITION_REFUSED',
        `${subject.label} is ${from}; it cannot become ${to}`,
        { details: { from, to } },
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

  return {
    repo,
    clock,
    now,
    after,
    lineage,
    findModel,
    currentState,
    findVersion,
    transition,
    versionLabel,
    audit: deps.audit,
    admission: deps.admission,
  };
}

/** Turns a unique-constraint failure into REGISTRY_CONFLICT (a race the pre-check missed). */
export function conflictOnConstraint(what: string) {
  return (e: unknown): never => {
    if (isAppError(e) && e.code === 'STORE_CONSTRAINT')
      throw registryError('REGISTRY_CONFLICT', `${what} already exists`, { cause: e });
    throw e;
  };
}
