import { createId } from '../core/index.js';
import type { AdmissionReport } from './admission.js';
import type { RegistryContext } from './registry-context.js';
import type { Deployment, Model, ModelVersion } from './types.js';

/** A change of what serves an endpoint, as the gateway applies it (a pin, lift or deploy). */
export interface ServingInput {
  endpoint: string;
  model: string;
  /** The version that serves now; null when it is not one of the registry's (aisoc.yaml only). */
  version: string | null;
  reason: string;
  /** The containment action whose apply or lift made the change. */
  actionId: string | null;
  /** When the change took effect (the action's apply or lift time); defaults to now. */
  at?: string;
}

/**
 * The deployment history: one row per change of the version serving an endpoint, with an
 * `audit` ledger entry, the served version marked `deployed` and the replaced one `approved`
 * again once nothing serves it. Repeating the serving version with the same action is a no-op.
 */
export function createDeploymentRecords(ctx: RegistryContext) {
  const { repo, after, findModel, findVersion, currentState, transition, versionLabel } = ctx;

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

  async function record(
    target: { model: Model; version: ModelVersion | null },
    input: Omit<ServingInput, 'model' | 'version'>,
    actor: string,
    checked?: Omit<AdmissionReport, 'scans'>,
  ): Promise<Deployment> {
    const previous = (await repo.deployments(input.endpoint)).at(-1);
    const versionId = target.version?.id ?? null;
    // The same change heard twice (a rollback's pin, then its deploy call): keep the first.
    if (
      previous &&
      previous.versionId === versionId &&
      input.actionId !== null &&
      previous.actionId === input.actionId
    )
      return previous;
    // Stamped when the gateway switched, and always after the previous row (histories order by time).
    const at =
      input.at !== undefined && (previous === undefined || input.at > previous.at)
        ? input.at
        : after(previous?.at);
    const d = {
      id: createId('dep', Date.parse(at)),
      at,
      endpoint: input.endpoint,
      modelId: target.model.id,
      versionId,
      reason: input.reason,
      actor,
      actionId: input.actionId ?? null,
    };
    await repo.insertDeployment(d);
    await ctx.audit({
      type: 'registry.deployment.recorded',
      actor,
      at: d.at,
      endpoint: d.endpoint,
      model: target.model.name,
      version: target.version?.version ?? null,
      versionId,
      previousVersionId: previous?.versionId ?? null,
      actionId: d.actionId,
      reason: d.reason,
      ...(checked ? { checked } : {}),
    });
    if (target.version)
      await transition('model_version', versionLabel(target.model, target.version), 'deployed', {
        actor,
        reason: `serves ${d.endpoint}`,
        details: { deploymentId: d.id },
      });
    if (previous?.versionId && previous.versionId !== versionId)
      await retire(previous.versionId, input.endpoint, actor);
    return { ...d, until: null };
  }

  return {
    record,
    /** Records what serves an endpoint after a pin, lift or deploy took effect at the gateway. */
    async recordServing(input: ServingInput, actor: string): Promise<Deployment> {
      const model = await findModel(input.model);
      const version =
        input.version === null ? null : (await findVersion(input.model, input.version)).version;
      return record({ model, version }, input, actor);
    },
  };
}
