import { isAppError, type AppliedAction, type ContainmentAction } from '../core/index.js';
import type { Registry } from './create-registry.js';
import { registryError } from './errors.js';
import type { Deployment, StateChange } from './types.js';
import { DEPLOYABLE_STATES } from './version-states.js';

/** The action service's calls the registry needs (src/respond's `ActionService` fits). */
export interface ActionControl {
  apply(action: ContainmentAction, reason: string, actor: string): Promise<AppliedAction>;
  lift(id: string, actor: string): Promise<{ status: string }>;
  list(options: { active?: boolean }): Promise<AppliedAction[]>;
  /** Publishes the active set again, so that every gateway re-reads the registry. */
  republish(): Promise<unknown>;
}

/** A model's versions in aisoc.yaml (served when no pin or deployment names another). */
export interface ConfiguredServing {
  activeVersion?: string | undefined;
  versions: readonly { version: string }[];
}

/** A quarantine or revocation, with the actions it lifted and the version that serves now. */
export type Withdrawal = StateChange & {
  /** Ids of the active pins and deployments that named the version, now lifted. */
  lifted: string[];
  /** The version the gateway serves now on the model's route; null when none does. */
  serving: string | null;
};

/**
 * Which version serves a model's route, from the active actions (oldest first) and the config:
 * the latest pin, else the latest deployment, else the config's active or last version.
 * Mirrors the gateway's choice (src/gateway/gateway.ts) for requests without a version route.
 */
export function servingVersion(
  model: string,
  active: readonly AppliedAction[],
  configured: ConfiguredServing | undefined,
): string | null {
  let pinned: string | null = null;
  let deployed: string | null = null;
  for (const a of active) {
    if (a.liftedAt !== null || !('model' in a.action) || a.action.model !== model) continue;
    if (a.action.kind === 'pin_version') pinned = a.action.version;
    if (a.action.kind === 'deploy_version') deployed = a.action.version;
  }
  return (
    pinned ?? deployed ?? configured?.activeVersion ?? configured?.versions.at(-1)?.version ?? null
  );
}

// What `deploy` answers while a pin outranks a model that has no deployment recorded yet.
const pendingRow = (
  input: Parameters<Registry['deploy']>[0],
  actionId: string,
  actor: string,
): Deployment => ({
  id: '',
  endpoint: input.endpoint,
  modelId: '',
  versionId: null,
  reason: input.reason,
  actor,
  actionId,
  at: new Date().toISOString(),
  until: null,
});

const namesVersion = (a: AppliedAction, model: string, version: string) =>
  (a.action.kind === 'pin_version' || a.action.kind === 'deploy_version') &&
  a.action.model === model &&
  a.action.version === version;

/**
 * Wraps the registry's records so that they drive serving: `deploy` applies a `deploy_version`
 * action (every gateway loads the version, then serves it) before it records the deployment;
 * `quarantine` and `revoke` lift every pin and deployment naming the version, so that lifting
 * another pin later can never bring it back, and say what serves instead.
 */
export function createServedRegistry(deps: {
  records: Registry;
  actions: ActionControl;
  configured: (model: string) => ConfiguredServing | undefined;
  /** Told when a version is quarantined or revoked (the gateway's catalogue drops it). */
  withdraw: (model: string, version: string) => void;
  /** When set (`registry.requireValidation`): why model@version may not be deployed, or null. */
  deployGate?: (model: string, version: string) => Promise<string | null>;
}): Registry {
  const { records, actions } = deps;

  async function withdrawn(change: StateChange, model: string, version: string, actor: string) {
    const lifted: string[] = [];
    for (const a of await actions.list({ active: true }))
      if (namesVersion(a, model, version)) {
        await actions.lift(a.id, actor);
        lifted.push(a.id);
      }
    deps.withdraw(model, version);
    // Every gateway rechecks its registry versions on a policy change; make sure there is one.
    if (lifted.length === 0) await actions.republish();
    const active = await actions.list({ active: true });
    const serving = servingVersion(model, active, deps.configured(model));
    return { ...change, lifted, serving } satisfies Withdrawal;
  }

  async function deploy(
    input: Parameters<Registry['deploy']>[0],
    actor: string,
  ): Promise<Deployment> {
    // The validation gate; a rollback (to a known-good version, with its pin) is recovery.
    if (!input.actionId) {
      const refused = await deps.deployGate?.(input.model, input.version);
      if (refused) throw registryError('REGISTRY_VALIDATION_REQUIRED', refused);
    }
    // A rollback's pin already switches the gateway; an endpoint other than the model's own
    // route is a record only (the gateway serves one route per model id).
    if (input.actionId || input.endpoint !== input.model) return records.deploy(input, actor);
    const target = await records.version(input.model, input.version);
    if (!DEPLOYABLE_STATES.includes(target.state))
      throw registryError(
        'REGISTRY_TRANSITION_REFUSED',
        `${input.model}@${input.version} is ${target.state}; only approved versions are deployed`,
        { details: { from: target.state, to: 'deployed' } },
      );
    await records.verify(input.model, input.version);
    const earlier = (await actions.list({ active: true })).filter(
      (a) => a.action.kind === 'deploy_version' && a.action.model === input.model,
    );
    // The target check loads and verifies the version where it will serve before publishing.
    const action = await actions.apply(
      { kind: 'deploy_version', model: input.model, version: input.version },
      `deploy: ${input.reason}`,
      actor,
    );
    // One active deployment per model, as the registry records one per endpoint.
    const liftEarlier = async () => {
      for (const a of earlier) await actions.lift(a.id, actor);
    };
    const active = await actions.list({ active: true });
    const pin = active.findLast(
      (a) => a.action.kind === 'pin_version' && a.action.model === input.model,
    );
    // A pin outranks the deployment: the version serves once the pin is lifted, and the
    // deployment is recorded then (lineage follows what answers, not what was asked for).
    if (
      pin &&
      servingVersion(input.model, active, deps.configured(input.model)) !== input.version
    ) {
      await liftEarlier();
      const current = (await records.deployments(input.endpoint)).at(-1);
      return { ...(current ?? pendingRow(input, action.id, actor)), heldBy: pin.id } as Deployment;
    }
    let deployment: Deployment;
    try {
      deployment = await records.deploy({ ...input, actionId: action.id }, actor);
    } catch (error) {
      await actions.lift(action.id, actor);
      throw error;
    }
    await liftEarlier();
    return deployment;
  }

  return {
    ...records,
    deploy,
    quarantine: async (model, version, actor, reason) =>
      withdrawn(await records.quarantine(model, version, actor, reason), model, version, actor),
    revoke: async (model, version, actor, reason) =>
      withdrawn(await records.revoke(model, version, actor, reason), model, version, actor),
  };
}

const absent = (error: unknown) => {
  if (isAppError(error) && error.code === 'REGISTRY_NOT_FOUND') return null;
  throw error;
};

/** One apply or lift of a containment action, as the action service reports it. */
export interface ActionChange {
  applied: AppliedAction;
  /** true: the action was lifted (at `at`); false: applied. */
  lifted: boolean;
  at: string;
  actor: string;
}

/**
 * Keeps the deployment history equal to what the gateway serves: after every apply or lift of
 * a `pin_version` or `deploy_version` (rollback, playbook pin, registry deploy, quarantine, a
 * lift by hand), works out the version serving the model's route as the gateway does, and
 * records a deployment when it changed, with the action and its reason (which names the
 * incident for playbook actions). Models the registry does not hold are left alone.
 */
export function createServingRecorder(deps: {
  records: Registry;
  actions: Pick<ActionControl, 'list'>;
  configured: (model: string) => ConfiguredServing | undefined;
}): (change: ActionChange) => Promise<void> {
  const { records } = deps;
  return async ({ applied, lifted, at, actor }) => {
    const a = applied.action;
    if (a.kind !== 'pin_version' && a.kind !== 'deploy_version') return;
    const m = await records.repository.model({ name: a.model });
    if (!m) return;
    const active = await deps.actions.list({ active: true });
    const serving = servingVersion(a.model, active, deps.configured(a.model));
    const view = serving === null ? null : await records.version(a.model, serving).catch(absent);
    // A withdrawn version is not served (the gateway dropped it), whatever the config says.
    const v = view && (view.state === 'quarantined' || view.state === 'revoked') ? null : view;
    const last = (await records.deployments(a.model)).at(-1);
    if ((last?.versionId ?? null) === (v?.id ?? null)) return;
    const what = `${a.kind} ${a.model}@${a.version} (${applied.id})`;
    const served = v ? '' : ` (now serving ${serving ?? 'nothing'} from aisoc.yaml)`;
    await records.recordServing(
      {
        endpoint: a.model,
        model: a.model,
        version: v ? v.version : null,
        reason: `${lifted ? `lifted ${what}: ` : ''}${applied.reason}${served}`,
        actionId: applied.id,
        at,
      },
      actor,
    );
  };
}
