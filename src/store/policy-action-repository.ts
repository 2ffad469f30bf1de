import type { Kysely, Selectable } from 'kysely';
import {
  canonicalJson,
  ContainmentActionSchema,
  type AppliedAction,
  type ContainmentAction,
} from '../core/index.js';
import { decodeJsonColumn } from './row-codec.js';
import type { Database, PolicyActionsTable } from './schema.js';

/** What `lift` did: lifting twice is not an error, the second call reports the first lift. */
export type LiftResult =
  | { status: 'lifted'; action: AppliedAction }
  | { status: 'already_lifted'; action: AppliedAction }
  | { status: 'not_found' };

export interface PolicyActionRepository {
  /** Fails with STORE_CONSTRAINT when the id already exists. */
  insert(applied: AppliedAction): Promise<void>;
  /** Marks the action lifted once; later calls change nothing and say so. */
  lift(id: string, by: string, at: string): Promise<LiftResult>;
  /** Actions not lifted, oldest first: the input of core's `buildPolicySnapshot`. */
  listActive(): Promise<AppliedAction[]>;
  /** Every action, lifted or not, oldest first. */
  list(): Promise<AppliedAction[]>;
  /** Every action aimed at one key id or model id, oldest first. */
  listForTarget(target: string): Promise<AppliedAction[]>;
  get(id: string): Promise<AppliedAction | undefined>;
}

/** The key id or model id an action is aimed at (the indexed `target` column). */
export function actionTarget(action: ContainmentAction): string {
  switch (action.kind) {
    case 'suspend_key':
    case 'revoke_key':
      return action.keyId;
    case 'rate_limit':
      return action.keyId ?? action.model!;
    case 'isolate_model':
    case 'pin_version':
    case 'deploy_version':
    case 'block_input':
      return action.model;
    case 'harden_output':
      return action.keyId ?? action.model;
    case 'detect_inline':
    case 'watermark':
      return action.keyId ?? action.model;
  }
}

function toRow(applied: AppliedAction): PolicyActionsTable {
  return {
    id: applied.id,
    kind: applied.action.kind,
    target: actionTarget(applied.action),
    action: canonicalJson(applied.action),
    reason: applied.reason,
    actor: applied.actor,
    applied_at: applied.appliedAt,
    lifted_at: applied.liftedAt,
    lifted_by: applied.liftedBy,
  };
}

function toApplied(row: Selectable<PolicyActionsTable>): AppliedAction {
  const where = { table: 'policy_actions', id: row.id, column: 'action' };
  return {
    id: row.id,
    action: decodeJsonColumn(ContainmentActionSchema, row.action, where),
    reason: row.reason,
    actor: row.actor,
    appliedAt: row.applied_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
  };
}

/** Containment actions over either engine; nothing is ever deleted, lifting is a mark. */
export function createPolicyActionRepository(db: Kysely<Database>): PolicyActionRepository {
  const select = () =>
    db.selectFrom('policy_actions').selectAll().orderBy('applied_at').orderBy('id');
  const get = async (id: string) => {
    const row = await db
      .selectFrom('policy_actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toApplied(row);
  };
  return {
    async insert(applied) {
      await db.insertInto('policy_actions').values(toRow(applied)).execute();
    },
    async lift(id, by, at) {
      // The `lifted_at is null` guard makes the first lift win under concurrency.
      const { numUpdatedRows } = await db
        .updateTable('policy_actions')
        .set({ lifted_at: at, lifted_by: by })
        .where('id', '=', id)
        .where('lifted_at', 'is', null)
        .executeTakeFirst();
      const action = await get(id);
      if (!action) return { status: 'not_found' };
      return { status: numUpdatedRows > 0n ? 'lifted' : 'already_lifted', action };
    },
    async listActive() {
      return (await select().where('lifted_at', 'is', null).execute()).map(toApplied);
    },
    async list() {
      return (await select().execute()).map(toApplied);
    },
    async listForTarget(target) {
      return (await select().where('target', '=', target).execute()).map(toApplied);
    },
    get,
  };
}
