import { isAppError, type AppliedAction, type ContainmentAction } from '../core/index.js';
import type { Registry } from './create-registry.js';
import { registryError } from './errors.js';
import type { Deployment } from './types.js';
import { DEPLOYABLE_STATES } from './version-states.js';

/** The action service's `apply` (src/respond): records, audits and publishes to every gateway. */
export interface ActionApplier {
  apply(action: ContainmentAction, reason: string, actor: string): Promise<AppliedAction>;
}

export interface RollbackInput {
  model: string;
  to: string;
  reason: string;
  /** Defaults to the model's name: the gateway serves one endpoint per model id. */
  endpoint?: string;
}

export interface RollbackResult {
  /** null: the version is one of aisoc.yaml's and not in the registry, so nothing is recorded there. */
  deployment: Deployment | null;
  action: AppliedAction;
}

/** What createRollback returns. */
export interface Rollback {
  rollback(input: RollbackInput, actor: string): Promise<RollbackResult>;
}

/**
 * Rolls a model back to a known-good version: check its state, make it ready to serve (load
 * and verify it, when it is not yet), re-verify its files and signature, pin it with a `pin_version` containment action (which every gateway applies to
 * new requests while in-flight ones finish on the version they started on, and which can be
 * lifted), then record the deployment, each step in the audit ledger.
 */
export function createRollback(deps: {
  registry: Registry;
  actions: ActionApplier;
  /** Loads and verifies the version where it will serve, before the pin (records failures). */
  prepare?: (model: string, version: string) => Promise<void>;
  /** Whether aisoc.yaml lists model@version (served without the registry). */
  isConfigured?: (model: string, version: string) => boolean;
}): Rollback {
  const pin = (input: RollbackInput, actor: string) =>
    deps.actions.apply(
      { kind: 'pin_version', model: input.model, version: input.to },
      `rollback: ${input.reason}`,
      actor,
    );
  return {
    async rollback(input: RollbackInput, actor: string): Promise<RollbackResult> {
      const target = await deps.registry.version(input.model, input.to).catch((error: unknown) => {
        if (isAppError(error) && error.code === 'REGISTRY_NOT_FOUND') return null;
        throw error;
      });
      // A version of aisoc.yaml the registry does not hold: its file was checked against the
      // config's digest at start; pin it, with no deployment to record.
      if (target === null) {
        if (!deps.isConfigured?.(input.model, input.to))
          throw registryError(
            'REGISTRY_NOT_FOUND',
            `${input.model}@${input.to} is neither in the registry nor in aisoc.yaml`,
          );
        return { deployment: null, action: await pin(input, actor) };
      }
      if (!DEPLOYABLE_STATES.includes(target.state))
        throw registryError(
          'REGISTRY_TRANSITION_REFUSED',
          `${input.model}@${input.to} is ${target.state}; roll back only to a known-good (approved) version`,
          { details: { state: target.state } },
        );
      await deps.prepare?.(input.model, input.to);
      await deps.registry.verify(input.model, input.to);
      const reason = `rollback: ${input.reason}`;
      const action = await pin(input, actor);
      const deployment = await deps.registry.deploy(
        {
          model: input.model,
          version: input.to,
          endpoint: input.endpoint ?? input.model,
          reason,
          actionId: action.id,
        },
        actor,
      );
      return { deployment, action };
    },
  };
}
