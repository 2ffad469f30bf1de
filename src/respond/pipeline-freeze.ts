import type { Kysely } from 'kysely';
import { canonicalJson, createId, type Clock, type AuditEntry } from '../core/index.js';
import type { Database } from '../store/index.js';
import { respondError, RespondErrorCodes } from './errors.js';
import { postSigned, type WebhookTarget } from './notify.js';

/** The table `0013_pipeline_freezes` creates. */
type FreezeTables = {
  pipeline_freezes: {
    id: string;
    incident_id: string;
    hook: string;
    datasets: string;
    reason: string;
    frozen_at: string;
    frozen_by: string;
    thawed_at: string | null;
    thawed_by: string | null;
  };
};

/** Every dataset: a freeze of the whole training pipeline. */
export const ALL_DATASETS = '*';

export interface PipelineFreeze {
  id: string;
  incidentId: string;
  hook: string;
  datasets: string[];
  reason: string;
  frozenAt: string;
  frozenBy: string;
  thawedAt: string | null;
  thawedBy: string | null;
}

/**
 * The body a pipeline hook receives (docs/pipeline-freeze.md), signed like every aisoc webhook:
 * `x-aisoc-signature: v1=<hex HMAC-SHA256 of "<x-aisoc-timestamp>.<body>">`.
 */
export interface PipelineHookBody {
  type: 'aisoc.pipeline.freeze' | 'aisoc.pipeline.thaw';
  freezeId: string;
  incidentId: string;
  /** Dataset names, or ["*"] for every pipeline the receiver runs. */
  datasets: string[];
  reason: string;
  actor: string;
  at: string;
}

export async function sendPipelineHook(
  target: WebhookTarget,
  body: PipelineHookBody,
  options: { timeoutMs?: number; now?: number } = {},
): Promise<void> {
  await postSigned(target, JSON.stringify(body), {
    what: `pipeline hook (${body.type})`,
    headers: { 'x-aisoc-event': body.type },
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/** What createPipelineFreezes returns. */
export interface PipelineFreezes {
  list: (filter?: { incidentId?: string; active?: boolean }) => Promise<PipelineFreeze[]>;
  /** Calls the hook, then records the freeze; an incident freezing the same datasets twice is one freeze. */
  freeze(input: {
    incidentId: string;
    hook: string;
    datasets: string[];
    reason: string;
    actor: string;
  }): Promise<{
    freeze: PipelineFreeze;
    created: boolean;
  }>;
  /** Thaws every active freeze of an incident (on lift): hook first, then the record. */
  thawIncident(incidentId: string, actor: string, reason: string): Promise<string[]>;
}

/** Freezes and thaws of training pipelines: the hook is called, then the record is kept. */
export function createPipelineFreezes(options: {
  db: Kysely<Database>;
  hooks: Readonly<Record<string, WebhookTarget>>;
  audit: (entry: AuditEntry) => Promise<void>;
  clock: Clock;
}): PipelineFreezes {
  const q = options.db.withTables<FreezeTables>();
  const iso = () => new Date(options.clock.now()).toISOString();
  const toFreeze = (r: FreezeTables['pipeline_freezes']): PipelineFreeze => ({
    id: r.id,
    incidentId: r.incident_id,
    hook: r.hook,
    datasets: JSON.parse(r.datasets) as string[],
    reason: r.reason,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
    thawedAt: r.thawed_at,
    thawedBy: r.thawed_by,
  });
  const target = (hook: string) => {
    const t = options.hooks[hook];
    if (!t)
      throw respondError(
        RespondErrorCodes.RESPOND_WEBHOOK_UNKNOWN,
        `no webhook "${hook}" is configured for the pipeline hook`,
      );
    return t;
  };

  async function list(filter: { incidentId?: string; active?: boolean } = {}) {
    let query = q.selectFrom('pipeline_freezes').selectAll().orderBy('frozen_at');
    if (filter.incidentId !== undefined) query = query.where('incident_id', '=', filter.incidentId);
    if (filter.active) query = query.where('thawed_at', 'is', null);
    return (await query.execute()).map(toFreeze);
  }

  return {
    list,
    /** Calls the hook, then records the freeze; an incident freezing the same datasets twice is one freeze. */
    async freeze(input: {
      incidentId: string;
      hook: string;
      datasets: string[];
      reason: string;
      actor: string;
    }): Promise<{ freeze: PipelineFreeze; created: boolean }> {
      const datasets = [...new Set(input.datasets)].sort();
      const same = (await list({ incidentId: input.incidentId, active: true })).find(
        (f) => f.hook === input.hook && canonicalJson(f.datasets) === canonicalJson(datasets),
      );
      if (same) return { freeze: same, created: false };
      const at = iso();
      const freeze: PipelineFreeze = {
        id: createId('frz', options.clock.now()),
        incidentId: input.incidentId,
        hook: input.hook,
        datasets,
        reason: input.reason,
        frozenAt: at,
        frozenBy: input.actor,
        thawedAt: null,
        thawedBy: null,
      };
      await sendPipelineHook(target(input.hook), {
        type: 'aisoc.pipeline.freeze',
        freezeId: freeze.id,
        incidentId: freeze.incidentId,
        datasets,
        reason: freeze.reason,
        actor: input.actor,
        at,
      });
      await q
        .insertInto('pipeline_freezes')
        .values({
          id: freeze.id,
          incident_id: freeze.incidentId,
          hook: freeze.hook,
          datasets: canonicalJson(datasets),
          reason: freeze.reason,
          frozen_at: at,
          frozen_by: input.actor,
          thawed_at: null,
          thawed_by: null,
        })
        .execute();
      await options.audit({ type: 'respond.pipeline.frozen', actor: input.actor, at, ...freeze });
      return { freeze, created: true };
    },
    /** Thaws every active freeze of an incident (on lift): hook first, then the record. */
    async thawIncident(incidentId: string, actor: string, reason: string): Promise<string[]> {
      const thawed: string[] = [];
      for (const f of await list({ incidentId, active: true })) {
        const at = iso();
        await sendPipelineHook(target(f.hook), {
          type: 'aisoc.pipeline.thaw',
          freezeId: f.id,
          incidentId,
          datasets: f.datasets,
          reason,
          actor,
          at,
        });
        await q
          .updateTable('pipeline_freezes')
          .set({ thawed_at: at, thawed_by: actor })
          .where('id', '=', f.id)
          .execute();
        await options.audit({
          type: 'respond.pipeline.thawed',
          actor,
          at,
          freezeId: f.id,
          incidentId,
          reason,
        });
        thawed.push(f.id);
      }
      return thawed;
    },
  };
}
